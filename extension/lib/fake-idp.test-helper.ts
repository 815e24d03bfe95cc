/**
 * A small in-memory IdP for unit tests: discovery, authorization (via a fake launchWebAuthFlow),
 * token endpoint with PKCE, DPoP proof checks (jose), rotating refresh tokens with reuse detection,
 * revocation, and a few account API routes. Tests flip its switches to provoke each branch.
 */
import { createHash } from 'node:crypto';
import { EmbeddedJWK, jwtVerify, calculateJwkThumbprint, type JWK } from 'jose';
import { EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import type { FetchLike } from './dpop-fetch.ts';

export const ISSUER = 'https://idp.test';
const DEFAULT_ISSUER = ISSUER;
export const REDIRECT_URI = 'https://fidbdcnbmjdaepbknnhbpdanaoaiacmc.chromiumapp.org/';

interface CodeRecord {
  challenge: string;
  nonce: string;
  maxAge: string | null;
  jkt: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface FakeIdpOptions {
  requireNonce?: boolean;
  accessTokenLifetime?: number;
  issuer?: string;
  /**
   * Extra API routes (`GET /api/v1/databases` → body), for smoke tests in a real browser. A function
   * is called with the query string's parameters (paged routes) and returns the body, or a whole
   * `Response` for an error.
   */
  fixtures?: Record<string, unknown>;
}

export function createFakeIdp(options: FakeIdpOptions = {}) {
  const ISSUER = options.issuer ?? DEFAULT_ISSUER;
  const codes = new Map<string, CodeRecord>();
  let counter = 0;
  let currentRefreshToken: string | null = null;
  let authTime = 1_000;
  const nonce = 'server-nonce-1';
  const state = {
    clock: 10_000,
    authorizeRequests: [] as URLSearchParams[],
    tokenRequests: [] as URLSearchParams[],
    revoked: [] as string[],
    /** `path` is `METHOD /pathname`; `query` the query string, '' without one. */
    apiRequests: [] as { path: string; query: string; token: string; proof: Record<string, unknown> }[],
    /** Any API call whose session is older than this answers with the RFC 9470 challenge. */
    stepUpMaxAge: null as number | null,
    /** Access tokens the API rejects with invalid_token. */
    rejectedTokens: new Set<string>(),
    refreshReuseDetected: false,
    boundJkt: null as string | null,
  };

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  async function checkProof(init: RequestInit, method: string, url: string, accessToken?: string) {
    const proof = (init.headers as Record<string, string>).DPoP;
    if (!proof) throw new Error('missing DPoP proof');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    if (payload.htm !== method || payload.htu !== url.split('?')[0]) throw new Error('proof htm/htu mismatch');
    if (accessToken && payload.ath !== createHash('sha256').update(accessToken).digest('base64url')) throw new Error('proof ath mismatch');
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
    return { payload: payload as Record<string, unknown>, jkt };
  }

  function issue(jkt: string, withIdToken?: { nonce: string }) {
    counter += 1;
    currentRefreshToken = `rt-${counter}`;
    state.boundJkt = jkt;
    return {
      access_token: `at-${counter}`,
      token_type: 'DPoP',
      expires_in: options.accessTokenLifetime ?? 600,
      refresh_token: currentRefreshToken,
      scope: 'openid offline_access account',
      ...(withIdToken
        ? { id_token: `${b64({ alg: 'RS256' })}.${b64({ iss: ISSUER, aud: EXTENSION_CLIENT_ID, sub: 'acct-1', nonce: withIdToken.nonce, auth_time: authTime })}.sig` }
        : {}),
    };
  }

  const fetch: FetchLike = async (url, init) => {
    const { pathname } = new URL(url);
    const method = init.method ?? 'GET';
    if (pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        revocation_endpoint: `${ISSUER}/token/revocation`,
        dpop_signing_alg_values_supported: ['ES256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (pathname === '/token') {
      const { payload, jkt } = await checkProof(init, 'POST', url);
      if (options.requireNonce && payload.nonce !== nonce) return json(400, { error: 'use_dpop_nonce' }, { 'DPoP-Nonce': nonce });
      const body = new URLSearchParams(String(init.body));
      state.tokenRequests.push(body);
      if (body.get('client_id') !== EXTENSION_CLIENT_ID || body.get('resource') !== `${ISSUER}/api`) return json(400, { error: 'invalid_request' });
      if (body.get('grant_type') === 'authorization_code') {
        const record = codes.get(body.get('code') ?? '');
        codes.delete(body.get('code') ?? '');
        const challenge = createHash('sha256').update(body.get('code_verifier') ?? '').digest('base64url');
        if (!record || record.challenge !== challenge || record.jkt !== jkt || body.get('redirect_uri') !== REDIRECT_URI) return json(400, { error: 'invalid_grant' });
        return json(200, issue(jkt, { nonce: record.nonce }));
      }
      if (body.get('grant_type') === 'refresh_token') {
        if (jkt !== state.boundJkt) return json(400, { error: 'invalid_grant', error_description: 'DPoP key mismatch' });
        if (body.get('refresh_token') !== currentRefreshToken) {
          state.refreshReuseDetected = true;
          currentRefreshToken = null; // reuse revokes the whole grant
          return json(400, { error: 'invalid_grant' });
        }
        return json(200, issue(jkt));
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    if (pathname === '/token/revocation') {
      state.revoked.push(new URLSearchParams(String(init.body)).get('token') ?? '');
      return new Response(null, { status: 200 });
    }
    if (pathname.startsWith('/api/v1/')) {
      const token = String((init.headers as Record<string, string>).Authorization ?? '').replace(/^DPoP /, '');
      const { payload } = await checkProof(init, method, url, token);
      state.apiRequests.push({ path: `${method} ${pathname}`, query: new URL(url).search, token, proof: payload });
      if (options.requireNonce && payload.nonce !== nonce) {
        return json(401, { error: 'use_dpop_nonce', message: 'nonce' }, { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': nonce });
      }
      if (!/^at-\d+$/.test(token) || state.rejectedTokens.has(token)) {
        return json(401, { error: 'invalid_token', message: 'bad token' }, { 'WWW-Authenticate': 'DPoP error="invalid_token"' });
      }
      if (state.stepUpMaxAge !== null && state.clock - authTime > state.stepUpMaxAge) {
        return json(401, { error: 'insufficient_user_authentication', message: 'Sign in again.' }, {
          'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="recent sign-in required", max_age=${state.stepUpMaxAge}`,
        });
      }
      if (pathname === '/api/v1/devices/logout-others') return json(200, { loggedOut: 2 });
      const fixture = options.fixtures?.[`${method} ${pathname}`];
      if (typeof fixture === 'function') {
        const body = (fixture as (query: URLSearchParams) => unknown)(new URL(url).searchParams);
        return body instanceof Response ? body : json(200, body);
      }
      if (fixture !== undefined) return json(200, fixture);
      if (pathname === '/api/v1/status') return json(200, { accountId: 'acct-1', twoFactorEnabled: true });
      return json(404, { error: 'not_found', message: 'No such route.' });
    }
    return json(404, { error: 'not_found', message: pathname });
  };

  /** Plays the browser + person: consents at once and redirects back with a code. */
  async function launchWebAuthFlow(authorizeUrl: string): Promise<string> {
    return authorize(authorizeUrl);
  }

  function authorize(authorizeUrl: string): string {
    const params = new URL(authorizeUrl).searchParams;
    state.authorizeRequests.push(params);
    if (params.get('code_challenge_method') !== 'S256' || params.get('redirect_uri') !== REDIRECT_URI) throw new Error('bad authorization request');
    authTime = state.clock; // the person just signed in
    const code = `code-${codes.size + 1}-${Math.random()}`;
    codes.set(code, { challenge: params.get('code_challenge')!, nonce: params.get('nonce')!, maxAge: params.get('max_age'), jkt: params.get('dpop_jkt')! });
    return `${REDIRECT_URI}?code=${encodeURIComponent(code)}&state=${params.get('state')}&iss=${encodeURIComponent(ISSUER)}`;
  }

  return { fetch, launchWebAuthFlow, authorize, state, currentRefreshToken: () => currentRefreshToken };
}
