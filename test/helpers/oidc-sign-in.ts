/**
 * One person's authorization with a real openid-client configuration: builds the request (PKCE, state,
 * nonce), signs in on the IdP's page when it asks, confirms consent when it asks, and stops at the
 * redirect back to the client. For the relying-party suites (refresh tokens, discovery self-test).
 */
import { expect } from 'vitest';
import * as oidc from 'openid-client';
import type { TestBrowser, PageResponse } from './browser.ts';

export interface Authorization {
  /** The last response: the 303 to the redirect URI (query, fragment) or the auto-submitting form (form_post). */
  response: PageResponse;
  /** The redirect back, for query and fragment modes. */
  callback?: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorize(
  browser: TestBrowser,
  config: oidc.Configuration,
  options: { redirectUri: string; scope?: string; params?: Record<string, string>; credentials?: { email: string; password: string }; par?: boolean; dpop?: oidc.DPoPHandle },
): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...options.params,
  };
  const url = options.par
    ? await oidc.buildAuthorizationUrlWithPAR(config, parameters, options.dpop ? { DPoP: options.dpop } : undefined)
    : oidc.buildAuthorizationUrl(config, parameters);
  const redirect = new URL(options.redirectUri);
  const stopAt = (u: URL) => u.origin === redirect.origin && u.pathname === redirect.pathname;
  let page = await browser.follow(url, { stopAt });
  if (page.status === 200 && page.body.includes('action="/interaction/') && page.body.includes('/login"') && options.credentials) {
    page = await browser.submit(page, '/login', options.credentials, { stopAt });
  }
  if (page.status === 200 && page.body.includes('/confirm"')) page = await browser.submit(page, '/confirm', {}, { stopAt });
  const callback = page.location ? new URL(page.location) : undefined;
  if (!callback && !page.body.includes(`action="${options.redirectUri}"`)) expect.fail(`authorization did not come back: ${page.status} ${page.body.slice(0, 400)}`);
  return { response: page, callback, verifier, state, nonce };
}

/** Exchanges the code of an authorization for tokens. */
export function exchange(config: oidc.Configuration, authorization: Authorization, callback = authorization.callback!, dpop?: oidc.DPoPHandle) {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: authorization.verifier, expectedState: authorization.state, expectedNonce: authorization.nonce,
  }, undefined, dpop ? { DPoP: dpop } : undefined);
}

export function discover(issuer: string, clientId: string, metadataOrSecret?: string | Partial<oidc.ClientMetadata>, auth?: oidc.ClientAuth) {
  return oidc.discovery(new URL(issuer), clientId, metadataOrSecret, auth, { execute: [oidc.allowInsecureRequests] });
}

export function jwtHeader(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
}

export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}
