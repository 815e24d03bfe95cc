/**
 * Devices and sessions end to end: the devices list, "Log out from all devices" (other IdP sessions
 * end, their refresh tokens die, and a relying party gets a verified Back-Channel Logout token),
 * signing one device out, password change and reset ending other sessions, and the re-authentication
 * window on these actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { linkFrom } from '../helpers/idp.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { advance, portalSignIn, signInToRp } from '../helpers/security.ts';

const idp = useTestIdp({ resetClock: true });
let client: SeededClient;
let config: oidc.Configuration;
let rp: LogoutReceiver;
const password = 'correct horse battery staple';

beforeAll(async () => {
  rp = await startLogoutReceiver(idp.issuer, () => client.clientId);
  client = await seedClient(idp, { backchannel_logout_uri: rp.url, backchannel_logout_session_required: true });
  config = await discoverClient(idp, client);
});
afterAll(async () => rp?.close());


describe('devices and sessions', () => {
  it('logs out every other device, revokes their tokens and tells the relying party by back-channel logout', async () => {
    const email = 'devices@example.com';
    const { id } = await idp.createAccount(email, password);
    const laptop = new TestBrowser();
    await portalSignIn(idp, laptop, email, password);
    const phone = new TestBrowser();
    phone.userAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const tokens = await signInToRp(config, client, phone, email, password);
    const sid = tokens.claims()!.sid as string;
    expect(sid).toBeTruthy();

    const security = await laptop.request(`${idp.issuer}/my/security`);
    expect(security.body.match(/class="device"/g)).toHaveLength(2);
    expect(security.body).toContain('(this device)');
    expect(security.body).toContain('Safari 17 on iOS');
    expect(security.body).toContain('Test App');
    expect((await idp.services.security.sessions.listDevices(id)).map((d) => d.browser).sort()).toEqual(['Chrome 130', 'Safari 17']);

    const before = rp.received.length;
    const done = await laptop.submit(security, '/my/security/devices/logout-others', {});
    expect(done.url).toContain('done=logged-out-others');
    expect(done.body).toContain('Every other device was signed out.');
    expect(done.body.match(/class="device"/g)).toHaveLength(1);

    const tokensReceived = await rp.waitFor(before + 1);
    expect(rp.rejected).toEqual([]);
    expect(tokensReceived.at(-1)).toMatchObject({ sub: id, sid, iss: idp.issuer, aud: client.clientId });

    // The phone's IdP session and refresh token are dead; the laptop is still signed in.
    const phonePortal = await phone.request(`${idp.issuer}/my/account`);
    expect(phonePortal.status).toBe(302);
    expect(phonePortal.location).toContain('/my/login');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await laptop.request(`${idp.issuer}/my/account`)).status).toBe(200);
  });

  it('signs one device out, and asks for the password again after 10 minutes', async () => {
    const email = 'one-device@example.com';
    const { id } = await idp.createAccount(email, password);
    const a = new TestBrowser();
    await portalSignIn(idp, a, email, password);
    const b = new TestBrowser();
    await signInToRp(config, client, b, email, password);
    // The relying party's browser (the portal's own session lists the portal as an app too).
    const other = (await idp.services.security.sessions.listDevices(id)).find((d) => d.apps.includes('Test App'))!;
    const page = await a.request(`${idp.issuer}/my/security`);
    const out = await a.submit(page, `/my/security/devices/${other.id}/logout`, {});
    expect(out.body).toContain('That device was signed out.');
    expect((await b.request(`${idp.issuer}/my/account`)).status).toBe(302);
    // Unknown device id: a clear 404, never a 500.
    const missing = await a.request(`${idp.issuer}/my/security/devices/nope/logout`, { form: { _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]! } });
    expect(missing.status).toBe(404);

    advance(11 * 60);
    const later = await a.request(`${idp.issuer}/my/security`);
    const ask = await a.submit(later, '/my/security/devices/logout-others', {});
    expect(ask.status).toBe(401);
    expect(ask.body).toContain('Confirm it is you');
    expect(ask.body).not.toContain('reauth_code');
    const ok = await a.submit(ask, '/my/security/devices/logout-others', { reauth_password: password });
    expect(ok.url).toContain('done=logged-out-others');
    // The re-authentication counts for 10 minutes.
    const again = await a.submit(await a.request(`${idp.issuer}/my/security`), '/my/security/devices/logout-others', {});
    expect(again.url).toContain('done=logged-out-others');
  });

  it('changes the password: current one required, policy applied, other sessions signed out, mail sent', async () => {
    const email = 'changer@example.com';
    await idp.createAccount(email, password);
    const a = new TestBrowser();
    await portalSignIn(idp, a, email, password);
    const b = new TestBrowser();
    const tokens = await signInToRp(config, client, b, email, password);
    const page = await a.request(`${idp.issuer}/my/security`);

    const wrong = await a.submit(page, '/my/security/password', { current_password: 'not it at all', new_password: 'a brand new passphrase' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('Your current password is not correct.');
    const common = await a.submit(wrong, '/my/security/password', { current_password: password, new_password: 'iloveyou1' });
    expect(common.status).toBe(400);
    expect(common.body).toContain('most common');
    const short = await a.submit(common, '/my/security/password', { current_password: password, new_password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body).toContain('at least 8');
    const empty = await a.submit(short, '/my/security/password', {});
    expect(empty.status).toBe(400);

    const before = rp.received.length;
    const changed = await a.submit(empty, '/my/security/password', { current_password: password, new_password: 'a brand new passphrase' });
    expect(changed.body).toContain('Your password was changed.');
    expect(idp.lastMailTo(email)?.subject).toBe('Your password was changed');
    await rp.waitFor(before + 1);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await b.request(`${idp.issuer}/my/account`)).status).toBe(302);
    expect((await a.request(`${idp.issuer}/my/account`)).status).toBe(200);
    const fresh = new TestBrowser();
    expect((await portalSignIn(idp, fresh, email, 'a brand new passphrase')).url).toContain('/my/account');
  });

  it('a password reset ends every session and tells the relying party', async () => {
    const email = 'resetter@example.com';
    await idp.createAccount(email, password);
    const b = new TestBrowser();
    const tokens = await signInToRp(config, client, b, email, password);
    const forgot = await new TestBrowser().follow(`${idp.issuer}/password/forgot`);
    const browser = new TestBrowser();
    const form = await browser.follow(`${idp.issuer}/password/forgot`);
    await browser.submit(form, '/password/forgot', { email });
    expect(forgot.status).toBe(200);
    const link = linkFrom(idp.lastMailTo(email), '/password/reset');
    const resetPage = await browser.follow(link.toString());
    const before = rp.received.length;
    const done = await browser.submit(resetPage, '/password/reset', { password: 'reset to this passphrase' });
    expect(done.body).toContain('every device was signed out');
    await rp.waitFor(before + 1);
    expect(rp.received.at(-1)?.sid).toBe(tokens.claims()!.sid);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
