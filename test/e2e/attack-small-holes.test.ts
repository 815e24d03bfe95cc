/**
 * Issue 13, finding 6 (smaller holes), each performed over HTTP against the real IdP and refused:
 * (a) signing out one other device with an old sign-in (someone at an unlocked browser);
 * (b) reading back the passwords a re-authentication page was sent;
 * (c) mapping the account with a narrow API key at /api/v1 (devices with IPs, all databases, all keys);
 * (d) getting the owner's address attached to another account through a mailed confirmation link;
 * (e) learning a database's name by "leaving" it without being a member.
 * (The http redirect URI part of finding 6 is S3's, with finding 4.)
 */
import { describe, expect, it } from 'vitest';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { linkFrom } from '../helpers/idp.ts';
import { advance, portalSignIn } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ resetClock: true });
const password = 'a perfectly fine passphrase';

async function signedIn(email: string, userAgent?: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  if (userAgent) browser.userAgent = userAgent;
  expect((await portalSignIn(idp, browser, email, password)).url).toContain('/my/account');
  return browser;
}

const csrfOf = (page: PageResponse) => page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;

async function createDatabase(ownerId: string, name: string) {
  const url = `https://${name.toLowerCase()}.example`;
  const created = await idp.services.databases.create(ownerId, {
    name, url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/`], tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId: ownerId });
  return created.database;
}

describe('attack: smaller holes (issue 13, finding 6)', () => {
  it('(a) signing out another device with a sign-in older than 10 minutes asks for the password first', async () => {
    const email = 'devices@example.com';
    await idp.createAccount(email, password);
    const unattended = await signedIn(email);
    const other = await signedIn(email, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1');
    advance(11 * 60);
    const page = await unattended.request(`${idp.issuer}/my/security`);
    const action = page.body.match(/action="(\/my\/security\/devices\/[^"/]+\/logout)"/)?.[1];
    expect(action).toBeTruthy();
    const res = await unattended.request(`${idp.issuer}${action}`, { method: 'POST', form: { _csrf: csrfOf(page) } });
    expect(res.status).toBe(401);
    expect(res.body).toContain('Confirm it is you');
    expect(res.body).toContain('reauth_password');
    // The other device is still signed in.
    expect((await other.request(`${idp.issuer}/my/account`)).status).toBe(200);
    // With the password, it goes through.
    const done = await unattended.submit(res, action!, { reauth_password: password });
    expect(done.body).toContain('That device was signed out.');
    expect((await other.request(`${idp.issuer}/my/account`)).status).toBe(302);
  });

  it('(b) the re-authentication page never echoes submitted passwords, secrets or codes', async () => {
    const email = 'echo@example.com';
    await idp.createAccount(email, password);
    const browser = await signedIn(email);
    advance(11 * 60);
    const page = await browser.request(`${idp.issuer}/my/security`);
    const sent = {
      _csrf: csrfOf(page), current_password: 'CURRENT-pw-canary-1', new_password: 'NEW-pw-canary-2', revoke_api_keys: 'on',
      client_secret: 'SECRET-canary-3', code: 'CODE-canary-4', reauth_password: '',
    };
    const res = await browser.request(`${idp.issuer}/my/security/password`, { method: 'POST', form: sent });
    expect(res.status).toBe(401);
    expect(res.body).toContain('Confirm it is you');
    for (const canary of ['CURRENT-pw-canary-1', 'NEW-pw-canary-2', 'SECRET-canary-3', 'CODE-canary-4']) expect(res.body).not.toContain(canary);
    // A harmless field still goes back, so the form re-posts what it can.
    expect(res.body).toMatch(/name="revoke_api_keys" value="on"/);
  });

  it('(c) a read-only key or a key limited to one database cannot read account-wide data at /api/v1', async () => {
    const email = 'narrow-keys@example.com';
    const { id } = await idp.createAccount(email, password);
    await signedIn(email); // a device, with its IP address
    const alpha = await createDatabase(id, 'Alpha');
    const beta = await createDatabase(id, 'Beta');
    await idp.services.apiKeys.enableDeveloperMode(id, { actor: id });
    const make = async (scope: 'read' | 'read-write', databases: string[] | null) =>
      (await idp.services.apiKeys.create(id, { description: `${scope} ${databases ? 'limited' : 'all'}`, duration: '1d', scope, databases }, { actor: id })).secret;
    const wide = await make('read-write', null);
    const readOnly = await make('read', null);
    const limitedRead = await make('read', [alpha.id]);
    const limitedWrite = await make('read-write', [alpha.id]);
    const get = async (path: string, key: string) => {
      const res = await fetch(`${idp.issuer}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: await res.json() as unknown };
    };
    const names = (body: unknown) => (body as { name: string }[]).map((d) => d.name).sort();
    const visibleIds = (body: unknown) => (body as { visibleId: string }[]).map((k) => k.visibleId);

    // The whole account: a read-write key for every database.
    expect((await get('/devices', wide)).status).toBe(200);
    expect(names((await get('/databases', wide)).body)).toEqual(['Alpha', 'Beta']);
    expect(visibleIds((await get('/api-keys', wide)).body)).toHaveLength(4);

    // Read-only: status and databases, itself; not the devices, not the other keys.
    expect((await get('/status', readOnly)).status).toBe(200);
    expect(names((await get('/databases', readOnly)).body)).toEqual(['Alpha', 'Beta']);
    const devices = await get('/devices', readOnly);
    expect(devices.status).toBe(403);
    expect(JSON.stringify(devices.body)).not.toMatch(/127\.0\.0\.1|::1/);
    expect(visibleIds((await get('/api-keys', readOnly)).body)).toEqual([readOnly.slice(0, 13)]);

    // Limited to Alpha (read or read-write): Alpha and itself only.
    for (const key of [limitedRead, limitedWrite]) {
      const status = await get('/status', key);
      expect(status.status).toBe(403);
      expect(JSON.stringify(status.body)).toContain('limited to some databases');
      expect((await get('/devices', key)).status).toBe(403);
      expect(names((await get('/databases', key)).body)).toEqual(['Alpha']);
      expect(JSON.stringify((await get('/databases', key)).body)).not.toContain(beta.id);
      expect(visibleIds((await get('/api-keys', key)).body)).toEqual([key.slice(0, 13)]);
    }
    // Nor may it sign the owner out everywhere.
    const logout = await fetch(`${idp.issuer}/api/v1/devices/logout-others`, { method: 'POST', headers: { authorization: `Bearer ${limitedWrite}`, 'content-type': 'application/json' }, body: '{}' });
    expect(logout.status).toBe(403);
  });

  it('(d) a mailed sign-up confirmation link confirms only the account it was sent for, in that account\'s session', async () => {
    const victim = 'mailbox-owner@example.com';
    // Someone signs up with the victim's address; the victim gets the confirmation mail.
    const attacker = new TestBrowser();
    const form = await attacker.request(`${idp.issuer}/signup`);
    await attacker.submit(form, '/signup', { name: 'Not The Owner', email: victim, password: 'the attacker passphrase' });
    const link = linkFrom(idp.lastMailTo(victim), '/verify-email');

    // Opened signed out, the link asks to sign in first, and confirms nothing.
    const signedOut = new TestBrowser();
    const opened = await signedOut.request(link);
    expect(opened.status).toBe(302);
    expect(opened.location).toContain('/my/login');
    const blind = await signedOut.request(`${idp.issuer}/verify-email`, { method: 'POST', form: { token: link.searchParams.get('token')! } });
    expect(blind.status).toBeGreaterThanOrEqual(400);

    // Opened in the victim's own session (another account), it is refused and names no one.
    await idp.createAccount('victim-own-account@example.com', password, 'The Victim');
    const victimBrowser = new TestBrowser();
    await portalSignIn(idp, victimBrowser, 'victim-own-account@example.com', password);
    const shown = await victimBrowser.request(link);
    expect(shown.status).toBe(403);
    expect(shown.body).toContain('This link was sent for another account than the one you are signed in to.');
    const csrf = csrfOf(await victimBrowser.request(`${idp.issuer}/my/account`));
    const posted = await victimBrowser.request(`${idp.issuer}/verify-email`, { method: 'POST', form: { _csrf: csrf, token: link.searchParams.get('token')! } });
    expect(posted.status).toBe(403);
    expect((await idp.services.accounts.findByEmail(victim))!.emailVerifiedAt).toBeNull();
    expect((await idp.services.accounts.findByEmail('victim-own-account@example.com'))!.email).toBe('victim-own-account@example.com');

    // In the session of the account it was sent for, the page names that account before confirming.
    const mine = await portalSignIn(idp, attacker, victim, 'the attacker passphrase');
    expect(mine.url).toContain('/my/account');
    const page = await attacker.request(link);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`This confirms <strong>${victim}</strong> for the account you are signed in to: <strong>Not The Owner</strong>`);
  });

  it('(d) an email change link moves the address only in the session of the account that asked', async () => {
    const attackerEmail = 'changer-attacker@example.com';
    const victim = 'change-victim@example.com';
    await idp.createAccount(attackerEmail, password, 'Changer');
    await idp.createAccount('change-victim-account@example.com', password, 'Victim');
    // The attacker asks to move their own account to the victim's address; the victim gets the link.
    const attacker = await signedIn(attackerEmail);
    const account = await attacker.request(`${idp.issuer}/my/account`);
    const asked = await attacker.submit(account, '/my/account/email', { email: victim });
    expect(asked.body).toContain('We sent a confirmation link to your new address.');
    const link = linkFrom(idp.lastMailTo(victim), '/my/account/email/confirm');

    // The victim opens it signed out: sign in first. Signed in to their own account: refused.
    const victimBrowser = new TestBrowser();
    expect((await victimBrowser.request(link)).location).toContain('/my/login');
    await portalSignIn(idp, victimBrowser, 'change-victim-account@example.com', password);
    const refused = await victimBrowser.request(link);
    expect(refused.status).toBe(403);
    const csrf = csrfOf(await victimBrowser.request(`${idp.issuer}/my/account`));
    expect((await victimBrowser.request(`${idp.issuer}/my/account/email/confirm`, { method: 'POST', form: { _csrf: csrf, token: link.searchParams.get('token')! } })).status).toBe(403);
    expect((await idp.services.accounts.findByEmail(attackerEmail))?.name).toBe('Changer');
    expect(await idp.services.accounts.findByEmail(victim)).toBeUndefined();
  });

  it('(e) "leave" on a database you are not in answers as for an unknown id, without its name', async () => {
    const { id: ownerId } = await idp.createAccount('secret-owner@example.com', password);
    const hidden = await createDatabase(ownerId, 'Topsecretname');
    await idp.createAccount('outsider@example.com', password);
    const outsider = await signedIn('outsider@example.com');
    const csrf = csrfOf(await outsider.request(`${idp.issuer}/my/databases`));
    const leave = (id: string) => outsider.request(`${idp.issuer}/my/databases/${id}/leave`, { method: 'POST', form: { _csrf: csrf } });
    const real = await leave(hidden.id);
    const unknown = await leave('db_doesnotexist000000');
    expect(real.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(real.body).not.toContain('Topsecretname');
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]*"/g, '');
    expect(strip(real.body)).toBe(strip(unknown.body));
  });
});
