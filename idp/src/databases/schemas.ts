/** Input schemas for databases, shared by the portal forms, the operator command and the database API. */
import { z } from 'zod';
import { emailField } from '../fields.ts';
import { idTokenAlgorithmField, refreshTokenTtlField, tokenEndpointAuthMethodField } from './client-metadata.ts';

export const databaseNameField = z
  .string({ error: 'Enter a name for the database.' })
  .trim()
  .min(1, 'Enter a name for the database.')
  .max(63, 'Use at most 63 characters for the database name.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'Use letters, digits, spaces, dots, dashes and underscores, starting with a letter or digit.');

function webUrl(what: string, options: { origin?: boolean } = {}) {
  return z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .min(1, `Enter the ${what}.`)
    .max(2000, `The ${what} is too long.`)
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), `The ${what} must be an http:// or https:// address, like https://acme.example.com.`)
    .refine((v) => !URL.canParse(v) || (!new URL(v).hash && !v.includes('#')), `The ${what} must not contain a #fragment.`)
    .refine((v) => !options.origin || !URL.canParse(v) || (new URL(v).pathname === '/' && !new URL(v).search), `The ${what} must be just the address of the site, like https://acme.example.com, without a path.`)
    .transform((v) => (options.origin ? new URL(v).origin : v));
}

export const databaseUrlField = webUrl('database URL', { origin: true });
export const redirectUriField = webUrl('redirect URI');
export const backchannelLogoutUriField = webUrl('back-channel logout URI');
export const postLogoutRedirectUriField = webUrl('post-logout redirect URI');

export const newDatabaseSchema = z.object({
  name: databaseNameField,
  url: databaseUrlField,
  redirectUris: z.array(redirectUriField).min(1, 'Give at least one redirect URI.').max(10, 'Give at most 10 redirect URIs.').optional(),
  postLogoutRedirectUris: z.array(postLogoutRedirectUriField).max(10, 'Give at most 10 post-logout redirect URIs.').optional(),
  backchannelLogoutUri: backchannelLogoutUriField.optional(),
  tokenEndpointAuthMethod: tokenEndpointAuthMethodField.default('client_secret_basic'),
  jwksUri: webUrl('JWKS URI').optional(),
  idTokenSignedResponseAlg: idTokenAlgorithmField.default('ES256'),
  refreshTokenTtl: refreshTokenTtlField.optional(),
}).refine((v) => v.tokenEndpointAuthMethod !== 'private_key_jwt' || v.jwksUri, { message: 'private_key_jwt needs a JWKS URI.', path: ['jwksUri'] });

export const jwksUriField = webUrl('JWKS URI');

export const inviteSchema = z.object({ email: emailField });
const clearable = <T extends z.ZodType>(field: T) => z.preprocess((v) => (v === '' ? null : v), field.nullable());

/** `idp database update` and the portal's Advanced section: only what is given changes; '' removes an optional setting. */
export const databaseUpdateSchema = z.object({
  redirectUris: z.array(redirectUriField).min(1, 'Give at least one redirect URI.').max(10, 'Give at most 10 redirect URIs.').optional(),
  postLogoutRedirectUris: z.array(postLogoutRedirectUriField).max(10, 'Give at most 10 post-logout redirect URIs.').optional(),
  backchannelLogoutUri: clearable(backchannelLogoutUriField).optional(),
  tokenEndpointAuthMethod: tokenEndpointAuthMethodField.optional(),
  jwksUri: clearable(jwksUriField).optional(),
  idTokenSignedResponseAlg: idTokenAlgorithmField.optional(),
  refreshTokenTtl: clearable(refreshTokenTtlField).optional(),
});
