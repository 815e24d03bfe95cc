/**
 * What a database may choose about its OpenID Connect client, in one place for the operator command, the
 * portal's Advanced section and dynamic registration: how it authenticates at the token endpoint, which
 * algorithm signs its ID tokens, and how long its refresh tokens live. Everything else that makes a
 * client a database (grant types, first party, response type) is fixed here too.
 *
 * Invariants:
 * - Every database may use the refresh_token grant; oidc-provider still issues a refresh token only
 *   for `offline_access` asked for together with prompt=consent (OpenID Connect Core 11).
 * - Client secrets are made by `newClientSecret` only, and only for the methods that use one. oidc-provider
 *   compares them (client_secret_basic and client_secret_post) and uses them as the HMAC key
 *   (client_secret_jwt), so they cannot be hashed: the Client adapter stores them sealed under
 *   IDP_SECRET_KEY (storage/oidc-adapter.ts).
 * - A refresh token lives at most REFRESH_TOKEN_MAX_TTL after it was issued or last rotated, and
 *   never longer than its grant; a database may only shorten that.
 */
import { z } from 'zod';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { msg } from '../i18n/translator.ts';
import { randomToken } from '../security/tokens.ts';
import { TRUSTED_CLIENT_METADATA } from './database-rules.ts';

export const DATABASE_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

export const ID_TOKEN_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type IdTokenAlgorithm = (typeof ID_TOKEN_ALGORITHMS)[number];
export const DEFAULT_ID_TOKEN_ALGORITHM: IdTokenAlgorithm = 'ES256';

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const;
export type DatabaseAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** Algorithms a database may sign client assertions with: HS256 for client_secret_jwt, the others for private_key_jwt (Ed25519 is the fully-specified name of EdDSA that current clients send). */
export const CLIENT_AUTH_SIGNING_ALGORITHMS = ['HS256', 'RS256', 'ES256', 'Ed25519', 'EdDSA'] as const;

export const REFRESH_TOKEN_MAX_TTL = 14 * 24 * 3600;
export const REFRESH_TOKEN_MIN_TTL = 5 * 60;
/** The client metadata field (seconds) by which a database shortens its refresh tokens' lifetime. */
export const REFRESH_TOKEN_TTL_METADATA = 'refresh_token_ttl';

export const idTokenAlgorithmField = z.enum(ID_TOKEN_ALGORITHMS, {
  error: msg('The ID token signing algorithm must be ES256 (the default), RS256 or EdDSA.'),
});

export const tokenEndpointAuthMethodField = z.enum(TOKEN_ENDPOINT_AUTH_METHODS, {
  error: msg('The client authentication must be client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt.'),
});

/** A field message takes no params: the bounds are written in (client-metadata.test.ts holds them to the constants). */
export const ttlMessage = msg('The refresh token lifetime must be a whole number of seconds from 300 (5 minutes) to 1209600 (14 days).');

/** Seconds, as a number (registration) or a string of digits (CLI, forms). */
export const refreshTokenTtlField = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, ttlMessage).transform(Number)], { error: ttlMessage })
  .pipe(z.number().int(ttlMessage).min(REFRESH_TOKEN_MIN_TTL, ttlMessage).max(REFRESH_TOKEN_MAX_TTL, ttlMessage));

export function usesClientSecret(method: string): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt';
}

/** The only place client secrets are made (CLI, portal, regeneration and registration). 256 bits, so HS256 keys are full strength. */
export function newClientSecret(): string {
  return randomToken(32);
}

/** oidc-provider's extraClientMetadata validator for the fields we add to clients. */
export function validateExtraClientMetadata(key: string, value: unknown): void {
  if ((key === 'first_party' || key === TRUSTED_CLIENT_METADATA) && value !== undefined && typeof value !== 'boolean') throw new Error(`${key} must be a boolean`);
  if (key === REFRESH_TOKEN_TTL_METADATA && value !== undefined && !refreshTokenTtlField.safeParse(value).success) {
    throw new Error(`${REFRESH_TOKEN_TTL_METADATA}: ${ttlMessage}`);
  }
}

/**
 * ttl.RefreshToken: the database's own lifetime when it chose a shorter one. Rotation issues a new
 * refresh token with a new lifetime, so this is an idle timeout; the grant (14 days from sign-in) bounds it.
 */
export function refreshTokenTtl(_ctx: KoaContextWithOIDC, _token: unknown, client: { [key: string]: unknown }): number {
  const chosen = client[REFRESH_TOKEN_TTL_METADATA];
  return typeof chosen === 'number' && chosen < REFRESH_TOKEN_MAX_TTL ? chosen : REFRESH_TOKEN_MAX_TTL;
}

/** The settings of a database's client that its owner (or the operator) may change. */
export interface DatabaseClientSettings {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  tokenEndpointAuthMethod: DatabaseAuthMethod;
  jwksUri?: string;
  idTokenSignedResponseAlg: IdTokenAlgorithm;
  /** Absent: the default (REFRESH_TOKEN_MAX_TTL). */
  refreshTokenTtl?: number;
}

/** A change of settings; `null` removes an optional one (back to the default). */
export interface DatabaseClientChanges {
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  tokenEndpointAuthMethod?: DatabaseAuthMethod;
  jwksUri?: string | null;
  idTokenSignedResponseAlg?: IdTokenAlgorithm;
  refreshTokenTtl?: number | null;
}

type Metadata = Record<string, unknown> & { client_id: string };

export function clientSettingsOf(metadata: Metadata): DatabaseClientSettings {
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    redirectUris: strings(metadata.redirect_uris),
    postLogoutRedirectUris: strings(metadata.post_logout_redirect_uris),
    ...(typeof metadata.backchannel_logout_uri === 'string' ? { backchannelLogoutUri: metadata.backchannel_logout_uri } : {}),
    tokenEndpointAuthMethod: (metadata.token_endpoint_auth_method ?? 'client_secret_basic') as DatabaseAuthMethod,
    ...(typeof metadata.jwks_uri === 'string' ? { jwksUri: metadata.jwks_uri } : {}),
    idTokenSignedResponseAlg: (metadata.id_token_signed_response_alg ?? DEFAULT_ID_TOKEN_ALGORITHM) as IdTokenAlgorithm,
    ...(typeof metadata[REFRESH_TOKEN_TTL_METADATA] === 'number' ? { refreshTokenTtl: metadata[REFRESH_TOKEN_TTL_METADATA] as number } : {}),
  };
}

export class ClientChangeError extends Error {}

/**
 * The client record after `changes` (oidc-provider validates it again before it is stored). Moving to a
 * secret-based method from private_key_jwt makes a new secret, returned to be shown once; moving to
 * private_key_jwt drops the secret and needs a JWKS URI. Throws ClientChangeError with a sentence for people.
 */
export function applyClientChanges(metadata: Metadata, changes: DatabaseClientChanges): { metadata: Metadata; clientSecret?: string } {
  if (Object.values(changes).every((v) => v === undefined)) throw new ClientChangeError(msg('Nothing to change: give at least one setting.'));
  const next: Metadata = { ...metadata };
  if (changes.redirectUris) next.redirect_uris = changes.redirectUris;
  if (changes.postLogoutRedirectUris) next.post_logout_redirect_uris = changes.postLogoutRedirectUris;
  if (changes.backchannelLogoutUri === null) {
    delete next.backchannel_logout_uri;
    delete next.backchannel_logout_session_required;
  } else if (changes.backchannelLogoutUri) {
    next.backchannel_logout_uri = changes.backchannelLogoutUri;
    next.backchannel_logout_session_required = true;
  }
  if (changes.idTokenSignedResponseAlg) next.id_token_signed_response_alg = changes.idTokenSignedResponseAlg;
  if (changes.refreshTokenTtl === null) delete next[REFRESH_TOKEN_TTL_METADATA];
  else if (changes.refreshTokenTtl !== undefined) next[REFRESH_TOKEN_TTL_METADATA] = changes.refreshTokenTtl;
  if (changes.jwksUri === null) delete next.jwks_uri;
  else if (changes.jwksUri) next.jwks_uri = changes.jwksUri;
  let clientSecret: string | undefined;
  const method = changes.tokenEndpointAuthMethod ?? String(next.token_endpoint_auth_method ?? 'client_secret_basic');
  next.token_endpoint_auth_method = method;
  if (usesClientSecret(method)) {
    if (typeof next.client_secret !== 'string') next.client_secret = clientSecret = newClientSecret();
  } else {
    delete next.client_secret;
    if (!next.jwks_uri) throw new ClientChangeError(msg('private_key_jwt needs a JWKS URI.'));
  }
  return { metadata: next, clientSecret };
}
