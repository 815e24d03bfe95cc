/**
 * Remembered (2FA-trusted) devices and connected databases end to end: the list shows browser, OS, IP,
 * added and last used; forgetting one makes that browser enter a code again; "Sign out of this
 * database" revokes the database's grant (its refresh token stops working) and reaches it by
 * back-channel logout while the portal stays signed in; ids of other accounts and malformed ids are 404s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { browserAt, FIREFOX_WINDOWS } from '../helpers/activity.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { advance, enableTwoFactor, portalSignIn, signInToRp, totp } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'correct horse battery staple';
let client: SeededClient;
let config: oidc.Configuration;
let rp: LogoutReceiver;

beforeAll(async () => {
  rp = await startLogoutReceiver(idp.issuer, () => client.clientId);
  client = await seedClient(idp, { client_name: 'Reference Database', backchannel_logout_uri: rp.url, backchannel_logout_session_required: true });
  config = await discoverClient(idp, client);
});
afterAll(async () => rp?.close());

function dropSession(browser: TestBrowser): void {
  for (const jar of browser.cookies.values()) for (const name of [...jar.keys()]) if (name.startsWith('_session')) jar.delete(name);
}

const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)![1]!;

describe('remembered devices', () => {
  it('lists them, and forgetting one makes that browser enter a code again', async () => {
    const email = 'remembered@example.com';
    const account = await idp.createAccount(email, password);
    const desk = browserAt('198.51.100.50');
    await portalSignIn(idp, desk, email, password);
    const { secret } = await enableTwoFactor(desk, idp);
    advance(30);
    const laptop = browserAt('203.0.113.51', FIREFOX_WINDOWS);
    const form = await portalSignIn(idp, laptop, email, password);
    expect((await laptop.submit(form, '/second-factor', { code: totp(secret), remember: 'yes' })).url).toContain('/my/account');
    dropSession(laptop);
    expect((await portalSignIn(idp, laptop, email, password)).url).toContain('/my/account');

    const list = await desk.request(`${idp.issuer}/my/security/trusted-devices`);
    expect(list.status).toBe(200);
    expect(list.body.match(/class="trusted-device"/g)).toHaveLength(1);
    expect(list.body).toContain('Firefox 128');
    expect(list.body).toContain('Windows 10');
    expect(list.body).toContain('203.0.113.51');
    expect(list.body).not.toContain('>never<');
    const [device] = await idp.services.security.twoFactor.listTrustedDevices(account.id);
    expect(device).toMatchObject({ browser: 'Firefox 128', ip: '203.0.113.51' });
    expect(device!.lastUsedAt).not.toBeNull();

    // Another account cannot forget it; malformed and unknown ids are 404s.
    const other = browserAt('198.51.100.52');
    await idp.createAccount('other-remembered@example.com', password);
    await portalSignIn(idp, other, 'other-remembered@example.com', password);
    const otherPage = await other.request(`${idp.issuer}/my/security`);
    for (const id of [device!.id, 'td_doesnotexist', 'nope']) {
      const res = await other.request(`${idp.issuer}/my/security/trusted-devices/${id}/revoke`, { form: { _csrf: csrfOf(otherPage.body) } });
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
    // A NUL in the path is refused at the HTTP edge (http/transport.ts) before any route runs.
    expect((await other.request(`${idp.issuer}/my/security/trusted-devices/td_%00/revoke`, { form: { _csrf: csrfOf(otherPage.body) } })).status).toBe(400);
    expect(await idp.services.security.twoFactor.listTrustedDevices(account.id)).toHaveLength(1);

    const done = await desk.submit(list, `/my/security/trusted-devices/${device!.id}/revoke`, {});
    expect(done.url).toContain('done=revoked');
    expect(done.body).not.toContain('class="trusted-device"');
    dropSession(laptop);
    const again = await portalSignIn(idp, laptop, email, password);
    expect(again.body).toContain('/second-factor');
    const activity = await desk.request(`${idp.issuer}/my/security/activity`);
    expect(activity.body).toContain('A remembered device was forgotten (Firefox 128 on Windows 10).');
  });
});

describe('connected databases and apps', () => {
  it('"Sign out of this database" revokes its tokens and tells it by back-channel logout', async () => {
    const email = 'connected@example.com';
    const account = await idp.createAccount(email, password);
    const browser = browserAt('198.51.100.60');
    await portalSignIn(idp, browser, email, password);
    const tokens = await signInToRp(config, client, browser, email, password);
    const sid = tokens.claims()!.sid as string;
    expect(tokens.refresh_token).toBeTruthy();

    const apps = await browser.request(`${idp.issuer}/my/security/apps`);
    expect(apps.status).toBe(200);
    expect(apps.body.match(/class="connected-app"/g)).toHaveLength(1);
    expect(apps.body).toContain('Reference Database');
    expect(apps.body).not.toContain('latchkey-portal');

    // Malformed and unknown client ids are 404s; another account cannot sign this one out.
    for (const id of ['bad id', 'unknown-client', 'latchkey-portal']) {
      const res = await browser.request(`${idp.issuer}/my/security/apps/${encodeURIComponent(id)}/sign-out`, { form: { _csrf: csrfOf(apps.body) } });
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
    const stranger = browserAt('198.51.100.61');
    await idp.createAccount('stranger-apps@example.com', password);
    await portalSignIn(idp, stranger, 'stranger-apps@example.com', password);
    const strangerApps = await stranger.request(`${idp.issuer}/my/security`);
    expect((await stranger.request(`${idp.issuer}/my/security/apps/${client.clientId}/sign-out`, { form: { _csrf: csrfOf(strangerApps.body) } })).status).toBe(404);
    const stillValid = await oidc.refreshTokenGrant(config, tokens.refresh_token!);

    const before = rp.received.length;
    const done = await browser.submit(apps, `/my/security/apps/${client.clientId}/sign-out`, {});
    expect(done.url).toContain('done=signed-out');
    expect(done.body).not.toContain('class="connected-app"');
    const received = await rp.waitFor(before + 1);
    expect(rp.rejected).toEqual([]);
    expect(received.at(-1)).toMatchObject({ sub: account.id, sid, iss: idp.issuer, aud: client.clientId });
    await expect(oidc.refreshTokenGrant(config, stillValid.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The portal session stays.
    expect((await browser.request(`${idp.issuer}/my/account`)).status).toBe(200);
    const activity = await browser.request(`${idp.issuer}/my/security/activity`);
    expect(activity.body).toContain('Signed out of Reference Database: its access was revoked.');
  });
});
