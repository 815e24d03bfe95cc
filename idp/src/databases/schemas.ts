/**
 * Input schemas for databases, shared by the portal forms, the operator command and the database API.
 * Every message is a catalog key (`msg`): `.message` stays English (the command, JSON clients), and the
 * error handler shows a page's or an API's answer in the request's language.
 */
import { z } from 'zod';
import { emailField } from '../fields.ts';
import { msg } from '../i18n/translator.ts';
import { idTokenAlgorithmField, refreshTokenTtlField, tokenEndpointAuthMethodField } from './client-metadata.ts';

export const databaseNameField = z
  .string({ error: msg('Enter a name for the database.') })
  .trim()
  .min(1, msg('Enter a name for the database.'))
  .max(63, msg('Use at most 63 characters for the database name.'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, msg('Use letters, digits, spaces, dots, dashes and underscores, starting with a letter or digit.'));

/** What a web address field says when refused (catalog keys); `notOrigin` also makes it keep just the origin. */
interface WebUrlMessages {
  missing: string;
  tooLong: string;
  notWeb: string;
  fragment: string;
  notOrigin?: string;
}

function webUrl(says: WebUrlMessages) {
  const origin = says.notOrigin !== undefined;
  return z
    .string({ error: says.missing })
    .trim()
    .min(1, says.missing)
    .max(2000, says.tooLong)
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), says.notWeb)
    .refine((v) => !URL.canParse(v) || (!new URL(v).hash && !v.includes('#')), says.fragment)
    .refine((v) => !origin || !URL.canParse(v) || (new URL(v).pathname === '/' && !new URL(v).search), says.notOrigin)
    .transform((v) => (origin ? new URL(v).origin : v));
}

export const databaseUrlField = webUrl({
  missing: msg('Enter the database URL.'),
  tooLong: msg('The database URL is too long.'),
  notWeb: msg('The database URL must be an http:// or https:// address, like https://acme.example.com.'),
  fragment: msg('The database URL must not contain a #fragment.'),
  notOrigin: msg('The database URL must be just the address of the site, like https://acme.example.com, without a path.'),
});
export const redirectUriField = webUrl({
  missing: msg('Enter the redirect URI.'),
  tooLong: msg('The redirect URI is too long.'),
  notWeb: msg('The redirect URI must be an http:// or https:// address, like https://acme.example.com.'),
  fragment: msg('The redirect URI must not contain a #fragment.'),
});
export const backchannelLogoutUriField = webUrl({
  missing: msg('Enter the back-channel logout URI.'),
  tooLong: msg('The back-channel logout URI is too long.'),
  notWeb: msg('The back-channel logout URI must be an http:// or https:// address, like https://acme.example.com.'),
  fragment: msg('The back-channel logout URI must not contain a #fragment.'),
});
export const postLogoutRedirectUriField = webUrl({
  missing: msg('Enter the post-logout redirect URI.'),
  tooLong: msg('The post-logout redirect URI is too long.'),
  notWeb: msg('The post-logout redirect URI must be an http:// or https:// address, like https://acme.example.com.'),
  fragment: msg('The post-logout redirect URI must not contain a #fragment.'),
});
export const jwksUriField = webUrl({
  missing: msg('Enter the JWKS URI.'),
  tooLong: msg('The JWKS URI is too long.'),
  notWeb: msg('The JWKS URI must be an http:// or https:// address, like https://acme.example.com.'),
  fragment: msg('The JWKS URI must not contain a #fragment.'),
});

const atLeastOneRedirectUri = msg('Give at least one redirect URI.');
const atMostTenRedirectUris = msg('Give at most 10 redirect URIs.');
const atMostTenPostLogoutUris = msg('Give at most 10 post-logout redirect URIs.');

export const newDatabaseSchema = z.object({
  name: databaseNameField,
  url: databaseUrlField,
  redirectUris: z.array(redirectUriField).min(1, atLeastOneRedirectUri).max(10, atMostTenRedirectUris).optional(),
  postLogoutRedirectUris: z.array(postLogoutRedirectUriField).max(10, atMostTenPostLogoutUris).optional(),
  backchannelLogoutUri: backchannelLogoutUriField.optional(),
  tokenEndpointAuthMethod: tokenEndpointAuthMethodField.default('client_secret_basic'),
  jwksUri: jwksUriField.optional(),
  idTokenSignedResponseAlg: idTokenAlgorithmField.default('ES256'),
  refreshTokenTtl: refreshTokenTtlField.optional(),
}).refine((v) => v.tokenEndpointAuthMethod !== 'private_key_jwt' || v.jwksUri, { message: msg('private_key_jwt needs a JWKS URI.'), path: ['jwksUri'] });

export const inviteSchema = z.object({ email: emailField });
const clearable = <T extends z.ZodType>(field: T) => z.preprocess((v) => (v === '' ? null : v), field.nullable());

/** `idp database update` and the portal's Advanced section: only what is given changes; '' removes an optional setting. */
export const databaseUpdateSchema = z.object({
  redirectUris: z.array(redirectUriField).min(1, atLeastOneRedirectUri).max(10, atMostTenRedirectUris).optional(),
  postLogoutRedirectUris: z.array(postLogoutRedirectUriField).max(10, atMostTenPostLogoutUris).optional(),
  backchannelLogoutUri: clearable(backchannelLogoutUriField).optional(),
  tokenEndpointAuthMethod: tokenEndpointAuthMethodField.optional(),
  jwksUri: clearable(jwksUriField).optional(),
  idTokenSignedResponseAlg: idTokenAlgorithmField.optional(),
  refreshTokenTtl: clearable(refreshTokenTtlField).optional(),
});
