/**
 * The extension's OAuth 2.0 client (public, `latchkey-extension`): authorization code + PKCE through
 * `identity.launchWebAuthFlow`, DPoP-bound tokens, rotating refresh tokens, revocation on sign-out.
 * Pure apart from the injected dependencies, so tests drive it with a fake IdP.
 */
import { ACCOUNT_API_RESOURCE_PATH, ACCOUNT_API_SCOPE, EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import { base64UrlDecodeToString, randomBase64Url } from './base64url.ts';
import type { DpopFetch } from './dpop-fetch.ts';
import { exportPublicJwk, jwkThumbprint } from './dpop.ts';
import { ExtensionError } from './errors.ts';
import type { ProviderMetadata } from './oidc-discovery.ts';
import { createPkcePair } from './pkce.ts';
import type { TokenSet } from './token-store.ts';
import { t } from './i18n/translator.ts';

export const EXTENSION_SCOPE = `openid offline_access ${ACCOUNT_API_SCOPE}`;

export interface OAuthClientDeps {
  issuer: string;
  metadata: () => Promise<ProviderMetadata>;
  dpopFetch: DpopFetch;
  dpopKeys: () => Promise<CryptoKeyPair>;
  /** Resolves with the final redirect URL (containing `code` or `error`). */
  launchWebAuthFlow: (url: string, interactive: boolean) => Promise<string>;
  redirectUri: string;
  now?: () => number;
}

export interface SignInOptions {
  interactive: boolean;
  /** RFC 9470 step-up: ask the IdP for a sign-in no older than this many seconds. */
  maxAge?: number;
}

export interface OAuthClient {
  signIn(options: SignInOptions): Promise<TokenSet>;
  /** Exchanges the refresh token; the IdP rotates it, so the result carries the new one. */
  refresh(current: TokenSet): Promise<TokenSet>;
  revoke(refreshToken: string): Promise<void>;
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

function decodeJwtClaims(jwt: string): Record<string, unknown> {
  try {
    return JSON.parse(base64UrlDecodeToString(jwt.split('.')[1] ?? '')) as Record<string, unknown>;
  } catch {
    throw new ExtensionError('auth_failed', t('The IdP returned an unreadable ID token.'));
  }
}

export function createOAuthClient(deps: OAuthClientDeps): OAuthClient {
  const now = deps.now ?? Date.now;
  const resource = `${deps.issuer}${ACCOUNT_API_RESOURCE_PATH}`;

  async function tokenRequest(params: Record<string, string>): Promise<TokenResponse> {
    const metadata = await deps.metadata();
    const response = await deps.dpopFetch({
      url: metadata.token_endpoint,
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ client_id: EXTENSION_CLIENT_ID, resource, ...params }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (!response.ok || body.error) {
      const signedOut = body.error === 'invalid_grant';
      throw new ExtensionError(signedOut ? 'signed_out' : 'auth_failed', signedOut ? t('Your sign-in has expired. Sign in again.') : t('Sign-in failed: {{reason}}.', { reason: body.error_description ?? body.error ?? `HTTP ${response.status}` }));
    }
    // A Bearer token here would mean the IdP ignored our proof: refuse rather than hold an unbound token.
    if (body.token_type?.toLowerCase() !== 'dpop') throw new ExtensionError('auth_failed', t('The IdP did not bind the token to this browser (DPoP).'));
    return body;
  }

  function toTokenSet(body: TokenResponse, previous?: TokenSet, nonce?: string): TokenSet {
    let subject = previous?.subject ?? '';
    let authTime = previous?.authTime ?? null;
    if (body.id_token) {
      const claims = decodeJwtClaims(body.id_token);
      // The ID token comes straight from the token endpoint over TLS (OIDC Core §3.1.3.7), so we check
      // its claims rather than its signature.
      const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== deps.issuer || !audience.includes(EXTENSION_CLIENT_ID)) throw new ExtensionError('auth_failed', t('The ID token was not issued for this extension.'));
      if (nonce !== undefined && claims.nonce !== nonce) throw new ExtensionError('auth_failed', t('The ID token does not match this sign-in.'));
      subject = String(claims.sub);
      authTime = typeof claims.auth_time === 'number' ? claims.auth_time : authTime;
    }
    const refreshToken = body.refresh_token ?? previous?.refreshToken;
    if (!refreshToken) throw new ExtensionError('auth_failed', t('The IdP did not issue a refresh token (offline_access).'));
    return {
      accessToken: body.access_token,
      accessTokenExpiresAt: now() + (body.expires_in ?? 300) * 1000,
      refreshToken,
      subject,
      authTime,
      scope: body.scope ?? EXTENSION_SCOPE,
    };
  }

  return {
    async signIn({ interactive, maxAge }) {
      const metadata = await deps.metadata();
      const pkce = await createPkcePair();
      const state = randomBase64Url(16);
      const nonce = randomBase64Url(16);
      const url = new URL(metadata.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: EXTENSION_CLIENT_ID,
        response_type: 'code',
        redirect_uri: deps.redirectUri,
        scope: EXTENSION_SCOPE,
        resource,
        code_challenge: pkce.challenge,
        code_challenge_method: pkce.method,
        state,
        nonce,
        dpop_jkt: await jwkThumbprint(await exportPublicJwk((await deps.dpopKeys()).publicKey)),
        ...(maxAge !== undefined ? { max_age: String(maxAge) } : {}),
      }).toString();

      let redirect: string;
      try {
        redirect = await deps.launchWebAuthFlow(url.toString(), interactive);
      } catch (error) {
        throw new ExtensionError('auth_cancelled', error instanceof Error && error.message ? t('Sign-in did not finish: {{reason}}', { reason: error.message }) : t('Sign-in did not finish.'));
      }
      const params = new URL(redirect).searchParams;
      if (params.get('state') !== state) throw new ExtensionError('auth_failed', t('The sign-in response does not match the request.'));
      // RFC 9207: when the IdP names itself, it must be ours (defends against mix-up attacks).
      const iss = params.get('iss');
      if ((iss !== null || metadata.authorization_response_iss_parameter_supported) && iss !== deps.issuer) throw new ExtensionError('auth_failed', t('The sign-in response came from another issuer.'));
      const error = params.get('error');
      if (error) throw new ExtensionError(error === 'access_denied' ? 'auth_cancelled' : 'auth_failed', params.get('error_description') ?? `Sign-in failed (${error}).`);
      const code = params.get('code');
      if (!code) throw new ExtensionError('auth_failed', t('The sign-in response has no authorization code.'));

      const body = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: deps.redirectUri, code_verifier: pkce.verifier });
      return toTokenSet(body, undefined, nonce);
    },

    async refresh(current) {
      const body = await tokenRequest({ grant_type: 'refresh_token', refresh_token: current.refreshToken });
      return toTokenSet(body, current);
    },

    async revoke(refreshToken) {
      const metadata = await deps.metadata();
      if (!metadata.revocation_endpoint) return;
      await deps.dpopFetch({
        url: metadata.revocation_endpoint,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: EXTENSION_CLIENT_ID, token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
      });
    },
  };
}
