/**
 * The account API's devices routes over HTTP, as the extension calls them (DPoP-bound access token):
 * `GET /api/v1/devices` marks the session the token came from as current; `POST
 * /api/v1/devices/logout-others` ends every other IdP session (back-channel logout to a relying party),
 * keeps the caller's own session and grant, asks for a step-up when the sign-in is old, and refuses bad
 * bodies and API keys with clear 4xx answers.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../shared/account-api.ts';
import { clock } from '../../idp/src/clock.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, discoverExtension, seedClient, type SeededClient } from '../helpers/clients.ts';
import { extensionSignIn as signInAsExtension } from '../helpers/extension-api.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { portalSignIn } from '../helpers/security.ts';

const REDIRECT = 'https://extension.example/cb';
const PASSWORD = 'correct horse battery';
const idp = useTestIdp({ env: { IDP_EXTENSION_REDIRECT_URIS: REDIRECT }, resetClock: true });
let extension: oidc.Configuration;
let rp: LogoutReceiver;
let rpClient: SeededClient;

beforeAll(async () => {
  rp = await startLogoutReceiver(idp.issuer, () => rpClient.clientId);
  rpClient = await seedClient(idp, { backchannel_logout_uri: rp.url, backchannel_logout_session_required: true });
  extension = await discoverExtension(idp);
});
afterAll(async () => rp?.close());

interface Signed {
  browser: TestBrowser;
  token: string;
  refreshToken: string | undefined;
  keys: CryptoKeyPair;
  jwk: jose.JWK;
}

/** The extension's sign-in (test/helpers/extension-api.ts), keeping the browser that holds its IdP session. */
async function extensionSignIn(browser: TestBrowser, email: string): Promise<Signed> {
  return { browser, ...(await signInAsExtension(idp, extension, REDIRECT, browser, email, PASSWORD)) };
}

async function call(s: Signed, method: string, path: string, init: { body?: string; contentType?: string } = {}): Promise<Response> {
  const url = `${idp.issuer}/api/v1${path}`;
  const proof = await new jose.SignJWT({
    htm: method, htu: url, jti: crypto.randomUUID(), iat: Math.floor(clock.now() / 1000),
    ath: crypto.createHash('sha256').update(s.token).digest('base64url'),
  }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: s.jwk }).sign(s.keys.privateKey);
  const headers: Record<string, string> = { authorization: `DPoP ${s.token}`, dpop: proof };
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  return fetch(url, { method, headers, body: init.body });
}

/** Signs `browser` in to the relying party, so its session holds an authorization for it. */
async function signInToRp(browser: TestBrowser, email: string) {
  const config = await discoverClient(idp, rpClient);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: rpClient.redirectUri, scope: 'openid', prompt: 'consent', state: 's',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const atRedirect = (u: URL) => u.origin === 'http://127.0.0.1:9';
  let page = await browser.follow(url, { stopAt: atRedirect });
  if (page.body.includes('/login"')) page = await browser.submit(page, '/login', { email, password: PASSWORD }, { stopAt: atRedirect });
  if (page.status === 200 && page.body.includes('/confirm')) page = await browser.submit(page, '/confirm', {}, { stopAt: atRedirect });
  return oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 's' });
}

describe('GET /api/v1/devices', () => {
  it("lists the account's sessions, the caller's own marked current, with browser, OS, IP and apps", async () => {
    const email = 'devices-list@example.com';
    const account = await idp.createAccount(email, PASSWORD);
    const laptop = new TestBrowser();
    const ext = await extensionSignIn(laptop, email);
    const phone = new TestBrowser();
    phone.userAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    await portalSignIn(idp, phone, email, PASSWORD);

    const res = await call(ext, 'GET', '/devices');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const devices = (await res.json()) as DeviceSummary[];
    expect(Array.isArray(devices)).toBe(true);
    expect(devices).toHaveLength(2);
    const [current, other] = devices;
    expect(current).toMatchObject({ current: true, browser: 'Chrome 130', os: 'Linux', ip: expect.any(String), apps: expect.arrayContaining(['Latchkey browser extension']) });
    expect(other).toMatchObject({ current: false, browser: 'Safari 17', os: expect.stringContaining('iOS') });
    expect(jose.decodeJwt(ext.token).sid).toBe(current!.id);
    for (const d of devices) {
      expect(Date.parse(d.firstSeenAt)).toBeLessThanOrEqual(Date.parse(d.lastSeenAt));
      expect(d.id).toMatch(/\S/);
    }

    // A read-write key for every database sees the same devices, none of them "current"; a read-only
    // key does not see them at all (issue 13: devices carry IP addresses).
    await idp.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id });
    const { secret } = await idp.services.apiKeys.create(account.id, { description: 'list', duration: '1d', scope: 'read-write', databases: null }, { actor: account.id });
    const { secret: readOnly } = await idp.services.apiKeys.create(account.id, { description: 'read', duration: '1d', scope: 'read', databases: null }, { actor: account.id });
    expect((await fetch(`${idp.issuer}/api/v1/devices`, { headers: { authorization: `Bearer ${readOnly}` } })).status).toBe(403);
    const byKey = await fetch(`${idp.issuer}/api/v1/devices`, { headers: { authorization: `Bearer ${secret}` } });
    expect(byKey.status).toBe(200);
    const listed = (await byKey.json()) as DeviceSummary[];
    expect(listed.map((d) => d.current)).toEqual([false, false]);

    expect((await fetch(`${idp.issuer}/api/v1/devices`)).status).toBe(401);
  });
});

describe('POST /api/v1/devices/logout-others', () => {
  it('ends the other sessions with back-channel logout and keeps the caller signed in, its grant working', async () => {
    const email = 'devices-logout@example.com';
    const account = await idp.createAccount(email, PASSWORD);
    const laptop = new TestBrowser();
    const ext = await extensionSignIn(laptop, email);
    const phone = new TestBrowser();
    const rpTokens = await signInToRp(phone, email);
    const tablet = new TestBrowser();
    await portalSignIn(idp, tablet, email, PASSWORD);
    expect(await idp.services.security.sessions.listDevices(account.id)).toHaveLength(3);

    const before = rp.received.length;
    const res = await call(ext, 'POST', '/devices/logout-others', { body: '{}' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ loggedOut: 2 });
    const logout = await rp.waitFor(before + 1);
    expect(logout.at(-1)).toMatchObject({ sub: account.id, sid: rpTokens.claims()!.sid });
    expect((await phone.request(`${idp.issuer}/my/account`)).status).toBe(302);
    expect((await tablet.request(`${idp.issuer}/my/account`)).status).toBe(302);

    // The caller's session and grant stay: the same browser is still signed in, the token and its refresh work.
    expect((await laptop.request(`${idp.issuer}/my/account`)).status).toBe(200);
    const left = (await (await call(ext, 'GET', '/devices')).json()) as DeviceSummary[];
    expect(left).toHaveLength(1);
    expect(left[0]!.current).toBe(true);
    expect(ext.refreshToken).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(extension, ext.refreshToken!, { resource: `${idp.issuer}/api` }, { DPoP: oidc.getDPoPHandle(extension, ext.keys) });
    const again = await call({ ...ext, token: refreshed.access_token }, 'GET', '/status');
    expect(again.status).toBe(200);
  });

  it('refuses bad bodies, API keys, and an old sign-in (RFC 9470 step-up) with clear 4xx answers', async () => {
    const email = 'devices-refuse@example.com';
    const account = await idp.createAccount(email, PASSWORD);
    const other = new TestBrowser();
    await portalSignIn(idp, other, email, PASSWORD);

    clock.offsetMs = -11 * 60 * 1000; // the extension's sign-in happens 11 minutes "ago" by the IdP clock
    const stale = await extensionSignIn(new TestBrowser(), email);
    clock.offsetMs = 0;

    const extra = await call(stale, 'POST', '/devices/logout-others', { body: '{"everyone":true}' });
    expect(extra.status).toBe(400);
    expect(await extra.json()).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('empty JSON object') });
    const notJson = await call(stale, 'POST', '/devices/logout-others', { body: 'everyone=1', contentType: 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'bad_request' });
    const broken = await call(stale, 'POST', '/devices/logout-others', { body: '{nope' });
    expect(broken.status).toBe(400);

    const old = await call(stale, 'POST', '/devices/logout-others', { body: '{}' });
    expect(old.status).toBe(401);
    expect(old.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age=600/);
    expect(await old.json()).toMatchObject({ error: 'reauthentication_required' });

    await idp.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id });
    const { secret } = await idp.services.apiKeys.create(account.id, { description: 'rw', duration: '1d', scope: 'read-write', databases: null }, { actor: account.id });
    const byKey = await fetch(`${idp.issuer}/api/v1/devices/logout-others`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{}' });
    expect(byKey.status).toBe(403);
    expect(await byKey.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('API key') });

    // Nothing was ended by the refused calls.
    expect((await other.request(`${idp.issuer}/my/account`)).status).toBe(200);
    expect(await idp.services.security.sessions.listDevices(account.id)).toHaveLength(2);
  });
});
