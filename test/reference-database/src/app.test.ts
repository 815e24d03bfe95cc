/**
 * The reference database app against a real stand-in OP (oidc-provider 9), driven with fetch and a
 * cookie jar: SSO, the database password, My Preferences, logout (RP-initiated and back-channel),
 * the API key API, and bad input everywhere.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseApp, type DatabaseApp } from './app.ts';
import { ConfigError, parseConfig } from './config.ts';
import { csrfFrom, fieldFrom, TestBrowser } from './test-support/browser.ts';
import { startStandInOp, type StandInOp } from './test-support/stand-in-op.ts';

const CLIENT_ID = 'acme-db';
const CLIENT_SECRET = 'acme-db-secret-value';

let op: StandInOp;
let app: DatabaseApp;
let dataDir: string;

beforeAll(async () => {
  op = await startStandInOp();
  op.accounts.set('acc-alice', { sub: 'acc-alice', email: 'alice.new@example.com', name: 'Alice', login: 'alice@example.com', role: 'owner' });
  op.accounts.set('acc-bob', { sub: 'acc-bob', email: 'bob@example.com', name: 'Bob', login: 'bob@example.com', role: 'member' });
  op.accounts.set('acc-mallory', { sub: 'acc-mallory', email: 'mallory@example.com', name: 'Mallory' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-db-'));
  app = await startDatabaseApp(
    { name: 'Acme', port: 0, issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dataDir },
    { log: () => {} },
  );
  await op.registerClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: app.redirectUri,
    backchannelLogoutUri: app.backchannelLogoutUri,
    postLogoutRedirectUri: app.postLogoutRedirectUri,
  });
});

afterAll(async () => {
  await app?.close();
  await op?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function loginPage(browser: TestBrowser) {
  const response = await browser.request(`${app.url}/login`);
  expect(response.status).toBe(200);
  return csrfFrom(await response.text());
}

/** Signs in through the stand-in OP as `sub`; returns the final page. */
async function signInWithSso(browser: TestBrowser, sub: string) {
  op.signInAs = sub;
  const csrf = await loginPage(browser);
  const result = await browser.follow(`${app.url}/login/sso`, { form: { csrf, return_to: '/' } });
  return { ...result, html: await result.response.text() };
}

async function pageCsrf(browser: TestBrowser, pathname: string) {
  const response = await browser.request(`${app.url}${pathname}`);
  expect(response.status).toBe(200);
  return csrfFrom(await response.text());
}

async function isSignedIn(browser: TestBrowser) {
  const response = await browser.request(`${app.url}/`);
  await response.arrayBuffer();
  return response.status === 200;
}

async function logoutToken(claims: Record<string, unknown>, key: jose.JWK | CryptoKey = op.privateJwk, kid = 'stand-in-1') {
  const signingKey = 'kty' in key ? await jose.importJWK(key, 'ES256') : key;
  return new jose.SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'logout+jwt' })
    .setIssuer(op.issuer)
    .setAudience(CLIENT_ID)
    .setIssuedAt()
    .sign(signingKey);
}

async function postLogoutToken(token: string | undefined) {
  const response = await fetch(`${app.url}/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: token === undefined ? '' : new URLSearchParams({ logout_token: token }).toString(),
  });
  return { status: response.status, body: (await response.json()) as { error?: string; message?: string } };
}

describe('single sign-on', () => {
  it('creates the user from the claims on first sign-in and shows who is signed in', async () => {
    const browser = new TestBrowser();
    const { response, html, url } = await signInWithSso(browser, 'acc-alice');
    expect(response.status).toBe(200);
    expect(url).toBe(`${app.url}/`);
    expect(fieldFrom(html, 'login')).toBe('alice@example.com');
    // The database's own email starts as the sign-in login, not the (changed) account email.
    expect(fieldFrom(html, 'preferences-email')).toBe('alice@example.com');
    expect(fieldFrom(html, 'role')).toBe('owner');
    expect(fieldFrom(html, 'signed-in-with')).toBe('your account');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('sets an httpOnly SameSite=Lax session cookie', async () => {
    const response = await fetch(`${app.url}/login`);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('rdb_session='));
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
  });

  it('shows a clear page when the account is not a member of this database', async () => {
    const browser = new TestBrowser();
    const { response, html } = await signInWithSso(browser, 'acc-mallory');
    expect(response.status).toBe(403);
    expect(html).toContain('does not have access to Acme');
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('refuses a callback whose state this browser did not start', async () => {
    const browser = new TestBrowser();
    await loginPage(browser);
    const response = await browser.request(`${app.url}/callback?code=abc&state=not-mine`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Please start signing in again');
    const missing = await browser.request(`${app.url}/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('no state');
  });

  it('returns to the page the person asked for, and only to paths on this site', async () => {
    const browser = new TestBrowser();
    op.signInAs = 'acc-bob';
    const csrf = await loginPage(browser);
    const { url } = await browser.follow(`${app.url}/login/sso`, { form: { csrf, return_to: '/settings' } });
    expect(url).toBe(`${app.url}/settings`);

    const other = new TestBrowser();
    const otherCsrf = await loginPage(other);
    const evil = await other.request(`${app.url}/login/sso`, { form: { csrf: otherCsrf, return_to: '//evil.example/x' } });
    expect(evil.status).toBe(400);
    expect(await evil.text()).toContain('must be a path on this site');
  });
});

describe('database-specific password', () => {
  it('is extra: set it, sign in with it; the account password (IdP) still works', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-bob');
    let csrf = await pageCsrf(browser, '/settings');

    const tooShort = await browser.request(`${app.url}/settings/password`, { form: { csrf, password: 'short', confirm: 'short' } });
    expect(tooShort.status).toBe(400);
    expect(await tooShort.text()).toContain('at least 8 characters');

    const mismatch = await browser.request(`${app.url}/settings/password`, { form: { csrf, password: 'long enough 1', confirm: 'long enough 2' } });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('do not match');

    const set = await browser.follow(`${app.url}/settings/password`, { form: { csrf, password: 'bob database pw', confirm: 'bob database pw' } });
    expect(set.response.status).toBe(200);
    expect(await set.response.text()).toContain('Your database password is set');

    // A fresh browser signs in with the database password, no IdP involved.
    const other = new TestBrowser();
    csrf = await loginPage(other);
    const local = await other.follow(`${app.url}/login/password`, { form: { csrf, email: 'BOB@example.com', password: 'bob database pw' } });
    expect(local.steps[0]!.status).toBe(303);
    expect(local.url).toBe(`${app.url}/`);
    const home = await local.response.text();
    expect(fieldFrom(home, 'login')).toBe('bob@example.com');
    expect(fieldFrom(home, 'signed-in-with')).toBe('database password');

    // The account password still opens the same user through the IdP.
    const sso = await signInWithSso(new TestBrowser(), 'acc-bob');
    expect(fieldFrom(sso.html, 'login')).toBe('bob@example.com');
  });

  it('sends a wrong password, an unknown email and a user without a database password to the IdP alike', async () => {
    const hintFor = async (email: string, password: string) => {
      const browser = new TestBrowser();
      const csrf = await loginPage(browser);
      const response = await browser.request(`${app.url}/login/password`, { form: { csrf, email, password } });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin).toBe(op.issuer);
      expect(location.searchParams.get('code_challenge_method')).toBe('S256');
      expect(await isSignedIn(browser)).toBe(false);
      return location.searchParams.get('login_hint');
    };
    expect(await hintFor('bob@example.com', 'not the password')).toBe('bob@example.com');
    expect(await hintFor('nobody@example.com', 'whatever pw')).toBe('nobody@example.com');
    expect(await hintFor('alice@example.com', 'alice has none')).toBe('alice@example.com');
  });

  it('passes login_hint on to the IdP, which then signs the person in', async () => {
    const browser = new TestBrowser();
    const csrf = await loginPage(browser);
    op.signInAs = 'acc-alice';
    const before = op.loginHints.length;
    const result = await browser.follow(`${app.url}/login/password`, { form: { csrf, email: 'alice@example.com', password: 'wrong password' } });
    expect(op.loginHints.slice(before)).toEqual(['alice@example.com']);
    expect(result.url).toBe(`${app.url}/`);
    expect(fieldFrom(await result.response.text(), 'login')).toBe('alice@example.com');
  });

  it('can be cleared, after which the password form hands over to the IdP', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-bob');
    const csrf = await pageCsrf(browser, '/settings');
    await browser.follow(`${app.url}/settings/password`, { form: { csrf, password: 'temporary pw', confirm: 'temporary pw' } });
    const cleared = await browser.follow(`${app.url}/settings/password/clear`, { form: { csrf } });
    expect(await cleared.response.text()).toContain('Your database password is removed');

    const other = new TestBrowser();
    const otherCsrf = await loginPage(other);
    const response = await other.request(`${app.url}/login/password`, { form: { csrf: otherCsrf, email: 'bob@example.com', password: 'temporary pw' } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain(op.issuer);
  });
});

describe('My Preferences', () => {
  it('changes the database email but never the sign-in login', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-alice');
    const page = await browser.request(`${app.url}/preferences`);
    const html = await page.text();
    expect(html).toContain('You still sign in to this database as <strong>alice@example.com</strong>');
    const csrf = csrfFrom(html);

    const bad = await browser.request(`${app.url}/preferences`, { form: { csrf, email: 'not-an-email' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a valid email address');

    const saved = await browser.follow(`${app.url}/preferences`, { form: { csrf, email: 'alice.billing@example.org' } });
    expect(await saved.response.text()).toContain('Your preferences are saved');

    const home = await (await browser.request(`${app.url}/`)).text();
    expect(fieldFrom(home, 'preferences-email')).toBe('alice.billing@example.org');
    expect(fieldFrom(home, 'login')).toBe('alice@example.com');

    // Signing in again (the account email changed at the IdP meanwhile) keeps both as they are.
    op.accounts.get('acc-alice')!.email = 'alice.newest@example.com';
    const again = await signInWithSso(new TestBrowser(), 'acc-alice');
    expect(fieldFrom(again.html, 'preferences-email')).toBe('alice.billing@example.org');
    expect(fieldFrom(again.html, 'login')).toBe('alice@example.com');
  });
});

describe('logout', () => {
  it('RP-initiated: ends the local session and sends the browser to the IdP end_session_endpoint', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-bob');
    const csrf = await pageCsrf(browser, '/');

    const forged = await browser.request(`${app.url}/logout`, { form: { csrf: 'wrong' } });
    expect(forged.status).toBe(403);
    expect(await isSignedIn(browser)).toBe(true);

    const response = await browser.request(`${app.url}/logout`, { form: { csrf } });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin).toBe(op.issuer);
    expect(location.searchParams.get('id_token_hint')).toBeTruthy();
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${app.url}/`);
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('back-channel: signing out at the IdP ends the session here (by sid)', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-bob');
    const other = new TestBrowser();
    await signInWithSso(other, 'acc-bob');
    expect(await isSignedIn(browser)).toBe(true);

    // Sign out at the OP directly (as from another app); it confirms, then calls our back-channel URI.
    const confirm = await browser.request(`${op.issuer}/session/end?client_id=${CLIENT_ID}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await confirm.text())![1]!;
    const done = await browser.request(`${op.issuer}/session/end/confirm`, { form: { xsrf, logout: 'yes' } });
    expect([302, 303]).toContain(done.status);

    expect(await isSignedIn(browser)).toBe(false);
    // Another browser has its own IdP session (another sid) and stays signed in.
    expect(await isSignedIn(other)).toBe(true);
  });

  it('back-channel with only sub ends every session of that user', async () => {
    const first = new TestBrowser();
    const second = new TestBrowser();
    await signInWithSso(first, 'acc-alice');
    await signInWithSso(second, 'acc-alice');
    const result = await postLogoutToken(await logoutToken({ sub: 'acc-alice' }));
    expect(result.status).toBe(200);
    expect(await isSignedIn(first)).toBe(false);
    expect(await isSignedIn(second)).toBe(false);
  });

  it('refuses forged, malformed and replayed logout tokens with 400 and a JSON error', async () => {
    const browser = new TestBrowser();
    await signInWithSso(browser, 'acc-alice');
    const { privateKey: otherKey } = await jose.generateKeyPair('ES256');

    const cases: Array<[string, string | undefined, string]> = [
      ['missing', undefined, 'logout_token parameter is required'],
      ['not a JWT', 'not-a-jwt', 'not valid'],
      ['signed by another key', await logoutToken({ sub: 'acc-alice' }, otherKey as CryptoKey), 'not valid'],
      ['with a nonce', await logoutToken({ sub: 'acc-alice', nonce: 'n' }), 'must not carry a nonce'],
      ['without the event', await logoutToken({ sub: 'acc-alice', events: {} }), 'back-channel logout event is missing'],
      ['without sid or sub', await logoutToken({}), 'neither a session'],
      [
        'for another client',
        await new jose.SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: 'x1', sub: 'acc-alice' })
          .setProtectedHeader({ alg: 'ES256', kid: 'stand-in-1' })
          .setIssuer(op.issuer)
          .setAudience('someone-else')
          .setIssuedAt()
          .sign(await jose.importJWK(op.privateJwk, 'ES256')),
        'not valid',
      ],
    ];
    for (const [label, token, message] of cases) {
      const result = await postLogoutToken(token);
      expect(result.status, label).toBe(400);
      expect(result.body.error, label).toBe('bad_request');
      expect(result.body.message, label).toContain(message);
    }
    expect(await isSignedIn(browser)).toBe(true);

    const token = await logoutToken({ sub: 'acc-nobody' });
    expect((await postLogoutToken(token)).status).toBe(200);
    const replay = await postLogoutToken(token);
    expect(replay.status).toBe(400);
    expect(replay.body.message).toContain('already used');
  });
});

describe('external API with API keys', () => {
  const api = (pathname: string, key?: string, init: RequestInit = {}) =>
    fetch(`${app.url}${pathname}`, {
      ...init,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) },
    });

  it('answers /api/me for an active key', async () => {
    const key = await op.issueApiKey({ sub: 'acc-bob', scope: 'read', clientId: CLIENT_ID });
    const response = await api('/api/me', key);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'acc-bob', login: 'bob@example.com', scope: 'read', database: 'Acme' });
  });

  it('refuses a missing or inactive key with 401 JSON', async () => {
    const missing = await api('/api/me');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('Bearer') });

    const inactive = await api('/api/me', 'this-is-not-a-key');
    expect(inactive.status).toBe(401);
    expect(inactive.headers.get('www-authenticate')).toContain('invalid_token');
    expect(await inactive.json()).toMatchObject({ error: 'invalid_token', message: expect.stringContaining('not valid') });

    const revoked = await op.issueApiKey({ sub: 'acc-bob', scope: 'read-write', clientId: CLIENT_ID });
    await op.revokeApiKey(revoked);
    expect((await api('/api/notes', revoked)).status).toBe(401);
  });

  it("reuses an introspection answer briefly, but never past the key's exp", async () => {
    const key = await op.issueApiKey({ sub: 'acc-bob', scope: 'read', clientId: CLIENT_ID });
    expect((await api('/api/me', key)).status).toBe(200);
    await op.revokeApiKey(key);
    // Still within the short cache window: the answer is reused without asking the IdP again.
    expect((await api('/api/me', key)).status).toBe(200);

    const shortLived = await op.issueApiKey({ sub: 'acc-bob', scope: 'read', clientId: CLIENT_ID, expiresIn: 2 });
    expect((await api('/api/me', shortLived)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await api('/api/me', shortLived)).status).toBe(401);
  });

  it('enforces scope: read keys read, read-write keys also write', async () => {
    const readKey = await op.issueApiKey({ sub: 'acc-alice', scope: 'read', clientId: CLIENT_ID });
    const writeKey = await op.issueApiKey({ sub: 'acc-alice', scope: 'read-write', clientId: CLIENT_ID });
    const post = (key: string, body: string) => api('/api/notes', key, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

    const denied = await post(readKey, JSON.stringify({ text: 'hello' }));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' });

    const created = await post(writeKey, JSON.stringify({ text: 'hello' }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ text: 'hello' });

    const listed = await api('/api/notes', readKey);
    expect(listed.status).toBe(200);
    expect((await listed.json()).notes).toEqual([expect.objectContaining({ text: 'hello' })]);

    const empty = await post(writeKey, JSON.stringify({ text: '   ' }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: 'bad_request', message: 'The note text must not be empty.' });

    const malformed = await post(writeKey, '{"text": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'bad_request' });

    const wrongShape = await post(writeKey, JSON.stringify(['x']));
    expect(wrongShape.status).toBe(400);
  });
});

describe('bad input', () => {
  it('answers every form with a readable 4xx, never a 500', async () => {
    const browser = new TestBrowser();
    const csrf = await loginPage(browser);

    const noCsrf = await browser.request(`${app.url}/login/sso`, { form: { return_to: '/' } });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toContain('Reload the page and try again');

    const noEmail = await browser.request(`${app.url}/login/password`, { form: { csrf, password: 'x' } });
    expect(noEmail.status).toBe(400);
    expect(await noEmail.text()).toContain('Enter an email address');

    const badEmail = await browser.request(`${app.url}/login/password`, { form: { csrf, email: 'nope', password: 'x' } });
    expect(badEmail.status).toBe(400);
    expect(await badEmail.text()).toContain('Enter a valid email address');

    const noPassword = await browser.request(`${app.url}/login/password`, { form: { csrf, email: 'a@example.com' } });
    expect(noPassword.status).toBe(400);
    expect(await noPassword.text()).toContain('Enter your password');

    const duplicated = await browser.request(`${app.url}/login/password`, { body: `csrf=${csrf}&email=a@example.com&email=b@example.com&password=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(duplicated.status).toBe(400);

    const signedOut = await browser.request(`${app.url}/settings/password`, { form: { csrf, password: 'whatever1', confirm: 'whatever1' } });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get('location')).toContain('/login');

    await signInWithSso(browser, 'acc-bob');
    const sessionCsrf = await pageCsrf(browser, '/settings');
    const missingFields = await browser.request(`${app.url}/settings/password`, { form: { csrf: sessionCsrf } });
    expect(missingFields.status).toBe(400);
    expect(await missingFields.text()).toContain('Enter a new password');

    const oldCsrf = await browser.request(`${app.url}/preferences`, { form: { csrf, email: 'x@example.com' } });
    expect(oldCsrf.status).toBe(403);

    const noPrefsEmail = await browser.request(`${app.url}/preferences`, { form: { csrf: sessionCsrf } });
    expect(noPrefsEmail.status).toBe(400);
    expect(await noPrefsEmail.text()).toContain('Enter an email address');

    const crossOrigin = await browser.request(`${app.url}/preferences`, { form: { csrf: sessionCsrf, email: 'x@example.com' }, headers: { origin: 'https://evil.example' } });
    expect(crossOrigin.status).toBe(403);

    const unknown = await browser.request(`${app.url}/no-such-page`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('This page does not exist');

    const wrongMethod = await browser.request(`${app.url}/logout`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.text()).toContain('does not accept GET requests');

    const wrongType = await browser.request(`${app.url}/preferences`, { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
  });
});

describe('configuration', () => {
  it('fails at boot with the name of each bad variable', () => {
    expect(() =>
      parseConfig({ name: '', port: 70000, issuer: 'not a url', clientId: 'x', clientSecret: '', dataDir: '/tmp/x' }),
    ).toThrow(ConfigError);
    try {
      parseConfig({ name: '', port: 70000, issuer: 'not a url', clientId: 'x', clientSecret: '', dataDir: '/tmp/x' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DB_NAME');
      expect(message).toContain('PORT');
      expect(message).toContain('DB_ISSUER');
      expect(message).toContain('DB_CLIENT_SECRET');
    }
  });
});
