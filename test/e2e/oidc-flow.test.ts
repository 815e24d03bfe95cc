/**
 * The foundation's promise: a standard OpenID Connect client (openid-client) signs in to the real IdP
 * with code + PKCE, validates the ID token, reads userinfo, refreshes (with rotation), revokes and ends
 * the session; and every broken request gets the right OAuth error or a clear page, never a 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';

const idp = useTestIdp();
let client: SeededClient;
let config: oidc.Configuration;
const email = 'ada@example.com';
const password = 'correct horse battery staple';

beforeAll(async () => {
  await idp.createAccount(email, password, 'Ada Lovelace');
  client = await seedClient(idp);
  config = await discoverClient(idp, client);
});

const atRedirect = (u: URL) => u.origin === 'http://127.0.0.1:9';

async function startAuthorization(extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: 'openid email profile offline_access',
    prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Drives the sign-in and consent pages; returns the final redirect to the client. */
async function signIn(browser: TestBrowser, url: URL, credentials = { email, password }) {
  const loginPage = await browser.follow(url, { stopAt: atRedirect });
  expect(loginPage.status).toBe(200);
  expect(loginPage.body).toContain('Sign in');
  let page = await browser.submit(loginPage, '/login', credentials, { stopAt: atRedirect });
  if (page.status === 200 && page.body.includes('/confirm')) page = await browser.submit(page, '/confirm', {}, { stopAt: atRedirect });
  return page;
}

describe('authorization code + PKCE with openid-client', () => {
  it('signs in, validates the ID token, reads userinfo, refreshes with rotation, revokes and logs out', async () => {
    const browser = new TestBrowser();
    const { url, verifier, state, nonce } = await startAuthorization();
    const done = await signIn(browser, url);
    expect(done.status).toBe(303);
    const callback = new URL(done.location!);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(idp.issuer);
    expect(claims.aud).toBe(client.clientId);
    expect(claims.email).toBe(email);
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());
    expect(header.alg).toBe('ES256');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, email, name: 'Ada Lovelace', email_verified: true });

    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(introspected).toMatchObject({ active: true, sub: claims.sub, client_id: client.clientId });
    await oidc.tokenRevocation(config, refreshed.access_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

    // Rotation: the old refresh token is spent, and presenting it again (a sign of theft) revokes the
    // whole grant, so even the newest refresh token dies.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/' });
    const confirm = await browser.follow(endSession);
    expect(confirm.status).toBe(200);
    const loggedOut = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' }, { stopAt: atRedirect });
    expect(loggedOut.location).toBe('http://127.0.0.1:9/');
    // The IdP session is gone: the portal asks to sign in again.
    const portal = await browser.request(`${idp.issuer}/my/account`);
    expect(portal.status).toBe(302);
    expect(portal.location).toContain('/my/login');
  });

  it('refuses a wrong password with one generic message and no 500', async () => {
    const browser = new TestBrowser();
    const { url } = await startAuthorization();
    const wrong = await signIn(browser, url, { email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('Incorrect email or password.');
    const unknown = await browser.submit(wrong, '/login', { email: 'nobody@example.com', password: 'whatever123' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toContain('Incorrect email or password.');
    const empty = await browser.submit(unknown, '/login', { email: 'not-an-email', password: '' });
    expect(empty.status).toBe(400);
  });

  it('answers an unknown client and a bad redirect_uri with a clear page, never a redirect', async () => {
    const browser = new TestBrowser();
    const unknownClient = await browser.request(`${idp.issuer}/auth?client_id=nope&response_type=code&scope=openid&redirect_uri=http://127.0.0.1:9/callback&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr&code_challenge_method=S256`);
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.body).toContain('not registered');
    const { url } = await startAuthorization({ redirect_uri: 'https://evil.example/callback' });
    const badRedirect = await browser.request(url);
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.location).toBeUndefined();
    expect(badRedirect.body).toContain('invalid_redirect_uri');
  });

  it('requires PKCE', async () => {
    const browser = new TestBrowser();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: client.redirectUri, scope: 'openid', state: 'x' });
    const res = await browser.request(url);
    expect(res.status).toBe(303);
    const back = new URL(res.location!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses a replayed code and revokes what it issued', async () => {
    const browser = new TestBrowser();
    const { url, verifier, state, nonce } = await startAuthorization();
    const done = await signIn(browser, url);
    const callback = new URL(done.location!);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('detects a tampered state on the client side', async () => {
    const browser = new TestBrowser();
    const { url, verifier, nonce } = await startAuthorization();
    const done = await signIn(browser, url);
    await expect(oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier, expectedState: 'tampered', expectedNonce: nonce }))
      .rejects.toThrow(/invalid response|state/);
  });

  it('refuses a wrong code verifier', async () => {
    const browser = new TestBrowser();
    const { url, state, nonce } = await startAuthorization();
    const done = await signIn(browser, url);
    await expect(oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state, expectedNonce: nonce }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
