/** Helpers for the security suites: portal sign-in through the real pages, TOTP codes on the IdP clock. */
import { generateSync } from 'otplib';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { clock, nowSeconds } from '../../idp/src/clock.ts';
import type { TestBrowser, PageResponse } from './browser.ts';
import type { TestIdp } from './idp.ts';

/** Signs in to the portal; returns the page after the password (the account page, or the code form). */
export async function portalSignIn(idp: TestIdp, browser: TestBrowser, email: string, password: string): Promise<PageResponse> {
  const login = await browser.follow(`${idp.issuer}/my/login`);
  expect(login.body).toContain('Sign in');
  return browser.submit(login, '/login', { email, password });
}

/** The current TOTP code for `secret` on the IdP clock (optionally `steps` periods later). */
export function totp(secret: string, steps = 0): string {
  return generateSync({ secret, epoch: nowSeconds() + steps * 30 });
}

/** Moves the IdP clock forward (re-authentication window, TOTP steps). */
export function advance(seconds: number): void {
  clock.offsetMs += seconds * 1000;
}

export function resetClock(): void {
  clock.offsetMs = 0;
}

/** Turns 2FA on through the pages; returns the secret read from the page and the recovery codes shown. */
export async function enableTwoFactor(browser: TestBrowser, idp: TestIdp): Promise<{ secret: string; recoveryCodes: string[] }> {
  const security = await browser.request(`${idp.issuer}/my/security`);
  const enroll = await browser.submit(security, '/my/security/2fa/start', {});
  expect(enroll.status).toBe(200);
  const secret = enroll.body.match(/id="totp-secret">([A-Z2-7]+)</)?.[1];
  expect(secret).toBeTruthy();
  const done = await browser.submit(enroll, '/my/security/2fa/confirm', { code: totp(secret!) });
  expect(done.status).toBe(200);
  const recoveryCodes = [...done.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
  expect(recoveryCodes).toHaveLength(10);
  return { secret: secret!, recoveryCodes };
}

/**
 * Signs `browser` in to a seeded relying party (code + PKCE, offline_access, consent), signing in at the
 * IdP when it asks; returns the tokens. The relying party's redirect URI is on http://127.0.0.1:9.
 */
export async function signInToRp(config: oidc.Configuration, client: { redirectUri: string }, browser: TestBrowser, email: string, password: string) {
  const atRedirect = (u: URL) => u.origin === 'http://127.0.0.1:9';
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri, scope: 'openid email offline_access', prompt: 'consent', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  let page = await browser.follow(url, { stopAt: atRedirect });
  if (page.body.includes('/login"')) page = await browser.submit(page, '/login', { email, password }, { stopAt: atRedirect });
  if (page.status === 200 && page.body.includes('/confirm')) page = await browser.submit(page, '/confirm', {}, { stopAt: atRedirect });
  expect(page.location).toContain('code=');
  return oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state });
}
