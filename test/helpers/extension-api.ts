/**
 * The browser extension as the account API sees it: its sign-in (code + PKCE + DPoP, a token for the
 * account API resource) and DPoP-proved calls. Same steps as test/e2e/account-api-devices.test.ts.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { ACCOUNT_API_SCOPE } from '../../shared/account-api.ts';
import { clock } from '../../idp/src/clock.ts';
import type { TestBrowser } from './browser.ts';
import type { TestIdp } from './idp.ts';

export interface ExtensionSession {
  token: string;
  refreshToken: string | undefined;
  keys: CryptoKeyPair;
  jwk: jose.JWK;
}

export async function extensionSignIn(idp: TestIdp, extension: oidc.Configuration, redirect: string, browser: TestBrowser, email: string, password: string): Promise<ExtensionSession> {
  const keys = await oidc.randomDPoPKeyPair('ES256');
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const resource = `${idp.issuer}/api`;
  const url = oidc.buildAuthorizationUrl(extension, {
    redirect_uri: redirect, scope: `openid offline_access ${ACCOUNT_API_SCOPE}`, resource, state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const atRedirect = (u: URL) => u.origin === new URL(redirect).origin;
  let page = await browser.follow(url, { stopAt: atRedirect });
  if (page.body.includes('/login"')) page = await browser.submit(page, '/login', { email, password }, { stopAt: atRedirect });
  if (page.status === 200 && page.body.includes('/confirm')) page = await browser.submit(page, '/confirm', {}, { stopAt: atRedirect });
  expect(page.location, page.body.slice(0, 500)).toContain(redirect);
  const DPoP = oidc.getDPoPHandle(extension, keys);
  const tokens = await oidc.authorizationCodeGrant(extension, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state }, { resource }, { DPoP });
  return { token: tokens.access_token, refreshToken: tokens.refresh_token, keys, jwk: await jose.exportJWK(keys.publicKey) };
}

export async function extensionCall(idp: TestIdp, s: ExtensionSession, method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${idp.issuer}/api/v1${path}`;
  const proof = await new jose.SignJWT({
    htm: method, htu: url, jti: crypto.randomUUID(), iat: Math.floor(clock.now() / 1000),
    ath: crypto.createHash('sha256').update(s.token).digest('base64url'),
  }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: s.jwk }).sign(s.keys.privateKey);
  const headers: Record<string, string> = { authorization: `DPoP ${s.token}`, dpop: proof };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
