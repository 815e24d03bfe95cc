/**
 * Issue 13, finding 1 (pre-account takeover that survives recovery), performed over HTTP against the
 * real IdP: someone signs up with the owner's address and never confirms it.
 *
 * 1. Such an account can do nothing but confirm, change its address or delete itself: developer mode,
 *    API keys, databases, second factors, invitations and the account API are refused, and the page
 *    says what to do.
 * 2. Whatever such an account holds anyway (armed before this rule existed) does not survive the real
 *    owner's "forgot password": every session ends, every API key dies (at the account API and at a
 *    database's introspection), trusted devices are forgotten, the attacker's 2FA is removed, and the
 *    mail lists what was ended.
 * 3. A password change (old password known) revokes API keys only when asked (the checkbox).
 */
import { describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { linkFrom } from '../helpers/idp.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { portalSignIn } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ resetClock: true });
const attackerPassword = 'the attacker passphrase';
const KEYS = '/my/security/api-keys';

/** Signs up through the public form, never confirms, and signs in: the attacker's browser. */
async function signUpUnconfirmed(email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const form = await browser.request(`${idp.issuer}/signup`);
  const done = await browser.submit(form, '/signup', { name: 'Totally The Owner', email, password: attackerPassword });
  expect(done.body).toContain('Check your inbox');
  const account = await portalSignIn(idp, browser, email, attackerPassword);
  expect(account.url).toContain('/my/account');
  expect(account.body).toContain('not confirmed');
  return browser;
}

/** A form of `page` posted as the browser would, even when the page does not show it (the attacker). */
async function post(browser: TestBrowser, page: PageResponse, action: string, fields: Record<string, string> = {}): Promise<PageResponse> {
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
  expect(csrf, 'a CSRF token on the page').toBeTruthy();
  return browser.request(`${idp.issuer}${action}`, { method: 'POST', form: { _csrf: csrf!, ...fields } });
}

const api = (path: string, key: string) => fetch(`${idp.issuer}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });

async function introspect(key: string, client: { clientId: string; clientSecret: string }): Promise<Record<string, unknown>> {
  const res = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: key }),
  });
  expect(res.status).toBe(200);
  return await res.json() as Record<string, unknown>;
}

async function resetByMail(email: string, password: string): Promise<PageResponse> {
  const browser = new TestBrowser();
  const form = await browser.request(`${idp.issuer}/password/forgot`);
  await browser.submit(form, '/password/forgot', { email });
  await new Promise((resolve) => setTimeout(resolve, 100)); // the link mail is sent after the answer
  const link = linkFrom(idp.lastMailTo(email), '/password/reset');
  const resetForm = await browser.request(link);
  const done = await browser.submit(resetForm, '/password/reset', { password });
  expect(done.status, done.body.slice(0, 400)).toBe(200);
  return done;
}

describe('attack: pre-account takeover (issue 13, finding 1)', () => {
  it('an account with an unconfirmed address cannot turn on developer mode, add keys or databases, set up 2FA or use the account API', async () => {
    const email = 'owner-one@example.com';
    const attacker = await signUpUnconfirmed(email);
    const page = await attacker.request(`${idp.issuer}/my/account`);
    expect(page.body).toContain(`Confirm your email address first: we sent a link to ${email}, or resend it.`);
    const refused = `Confirm your email address first: we sent a link to ${email}.`;

    for (const path of [KEYS, '/my/security', '/my/databases', '/my/invitations']) {
      const res = await attacker.request(`${idp.issuer}${path}`);
      expect(res.status, path).toBe(403);
      expect(res.body, path).toContain(refused);
    }
    const attempts: [string, Record<string, string>][] = [
      [`${KEYS}/developer-mode`, {}],
      [`${KEYS}/new`, { description: 'backdoor', duration: '1y', scope: 'read-write', database_access: 'all' }],
      ['/my/databases', { name: 'Trap', url: 'https://trap.example' }],
      ['/my/security/2fa/start', {}],
      ['/my/security/2fa/confirm', { code: '123456' }],
      ['/my/invitations/inv_whatever/accept', {}],
      ['/my/account/details', { name: 'Owner', locale: 'en', timezone: 'UTC' }],
    ];
    for (const [action, fields] of attempts) {
      const res = await post(attacker, page, action, fields);
      expect(res.status, action).toBe(403);
      expect(res.body, action).toContain(refused);
    }
    const { id } = (await idp.services.accounts.findByEmail(email))!;
    expect(await idp.services.apiKeys.isDeveloperMode(id)).toBe(false);
    expect(await idp.services.apiKeys.listLive(id)).toEqual([]);
    expect(await idp.services.security.twoFactor.isEnabled(id)).toBe(false);
    expect(await idp.services.databases.listOwnedBy(id)).toEqual([]);

    // What it may do: resend the link (and so confirm), and delete itself.
    const before = idp.mails.filter((m) => m.to === email).length;
    const resent = await attacker.submit(page, '/my/account/email/resend', {});
    expect(resent.status).toBe(200);
    expect(resent.body).toContain('We sent a new confirmation link');
    expect(idp.mails.filter((m) => m.to === email)).toHaveLength(before + 1);
    expect((await attacker.request(`${idp.issuer}/my/security/delete`)).status).toBe(200);
  });

  it('the owner\'s password reset ends every session, key, trusted device and the attacker\'s 2FA, and the mail lists them', async () => {
    const email = 'owner-two@example.com';
    const attacker = await signUpUnconfirmed(email);
    const accountId = (await idp.services.accounts.findByEmail(email))!.id;
    // Armed as such an account could be before the confirmed-email rule (or by the operator's command):
    // developer mode, a one-year read-write key, 2FA with recovery codes and a remembered device.
    await idp.services.apiKeys.enableDeveloperMode(accountId, { actor: 'operator' });
    const { secret: key } = await idp.services.apiKeys.create(accountId, { description: 'backdoor', duration: '1y', scope: 'read-write', databases: null }, { actor: 'operator' });
    const account = (await idp.services.accounts.findById(accountId))!;
    const enrollment = await idp.services.security.twoFactor.startEnrollment(account);
    await idp.services.security.twoFactor.confirmEnrollment(account, generateSync({ secret: enrollment.secret, epoch: nowSeconds() }));
    await idp.services.security.twoFactor.trustDevice(accountId, 'attacker browser');
    expect(await idp.services.security.sessions.countKnownDevices(accountId)).toBe(1); // the attacker's browser

    // Even before the reset, the key of an unconfirmed account opens nothing.
    const early = await api('/status', key);
    expect(early.status).toBe(401);

    await resetByMail(email, 'the real owner passphrase');

    // The attacker's session is gone: the portal sends them to sign in.
    const after = await attacker.request(`${idp.issuer}/my/account`);
    expect(after.status).toBe(302);
    expect(after.location).toContain('/my/login');
    // The key is gone, at the account API and at a database the owner now creates.
    expect((await api('/status', key)).status).toBe(401);
    expect(await idp.services.apiKeys.listLive(accountId)).toEqual([]);
    const created = await idp.services.databases.create(accountId, {
      name: 'Owner Two DB', url: 'https://owner-two.example', redirectUris: ['https://owner-two.example/callback'],
      postLogoutRedirectUris: ['https://owner-two.example/'], tokenEndpointAuthMethod: 'client_secret_basic',
    }, { kind: 'account', accountId });
    expect(await introspect(key, { clientId: created.clientId, clientSecret: created.clientSecret! })).toEqual({ active: false });
    // The attacker's 2FA is gone: the owner signs in with the password alone, and the address is confirmed.
    expect(await idp.services.security.twoFactor.isEnabled(accountId)).toBe(false);
    expect(await idp.services.security.twoFactor.recoveryCodesLeft(accountId)).toBe(0);
    expect(await idp.services.security.twoFactor.countTrustedDevices(accountId)).toBe(0);
    // The attacker's browser is no longer a known device with a guessing budget of its own.
    expect(await idp.services.security.sessions.countKnownDevices(accountId)).toBe(0);
    const owner = await portalSignIn(idp, new TestBrowser(), email, 'the real owner passphrase');
    expect(owner.url).toContain('/my/account');
    expect(owner.body).toContain('(confirmed)');
    // The old password is dead.
    expect((await portalSignIn(idp, new TestBrowser(), email, attackerPassword)).status).toBe(401);

    const mail = idp.mails.filter((m) => m.to === email && m.subject === 'Your password was changed').at(-1)!;
    expect(mail.text).toContain('Every device was signed out.');
    expect(mail.text).toContain('1 signed-in session ended');
    expect(mail.text).toContain('1 API key revoked');
    expect(mail.text).toContain('1 remembered device forgotten');
    expect(mail.text).toContain('two-factor authentication and its recovery codes removed');
  });

  it('a reset of a confirmed account also revokes its keys but keeps the owner\'s own 2FA', async () => {
    const email = 'confirmed-owner@example.com';
    const { id } = await idp.createAccount(email, 'the first passphrase');
    await idp.services.apiKeys.enableDeveloperMode(id, { actor: id });
    const { secret: key } = await idp.services.apiKeys.create(id, { description: 'stolen session made this', duration: '1y', scope: 'read', databases: null }, { actor: id });
    expect((await api('/status', key)).status).toBe(200);
    const account = (await idp.services.accounts.findById(id))!;
    const enrollment = await idp.services.security.twoFactor.startEnrollment(account);
    await idp.services.security.twoFactor.confirmEnrollment(account, generateSync({ secret: enrollment.secret, epoch: nowSeconds() }));

    await resetByMail(email, 'the second passphrase');
    expect((await api('/status', key)).status).toBe(401);
    expect(await idp.services.security.twoFactor.isEnabled(id)).toBe(true);
    const mail = idp.mails.filter((m) => m.to === email && m.subject === 'Your password was changed').at(-1)!;
    expect(mail.text).toContain('1 API key revoked');
    expect(mail.text).not.toContain('two-factor authentication and its recovery codes removed');
  });

  it('a password change revokes the API keys only when the box is ticked', async () => {
    const email = 'changer@example.com';
    const { id } = await idp.createAccount(email, 'the first passphrase');
    await idp.services.apiKeys.enableDeveloperMode(id, { actor: id });
    const { secret: kept } = await idp.services.apiKeys.create(id, { description: 'ci', duration: '1w', scope: 'read', databases: null }, { actor: id });
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, email, 'the first passphrase');

    let security = await browser.request(`${idp.issuer}/my/security`);
    expect(security.body).toContain('Also revoke every API key of this account');
    const unticked = await browser.submit(security, '/my/security/password', { current_password: 'the first passphrase', new_password: 'the second passphrase' });
    expect(unticked.body).toContain('Your password was changed. Every other device was signed out.');
    expect((await api('/status', kept)).status).toBe(200);

    security = await browser.request(`${idp.issuer}/my/security`);
    const ticked = await browser.submit(security, '/my/security/password', { current_password: 'the second passphrase', new_password: 'the third passphrase', revoke_api_keys: 'on' });
    expect(ticked.body).toContain('every API key was revoked');
    expect((await api('/status', kept)).status).toBe(401);
    expect(idp.lastMailTo(email)?.text).toContain('1 API key was revoked, as asked.');

    security = await browser.request(`${idp.issuer}/my/security`);
    const bad = await browser.submit(security, '/my/security/password', { current_password: 'the third passphrase', new_password: 'the fourth passphrase', revoke_api_keys: 'yes please' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Tick the box to revoke your API keys, or leave it empty.');
  });
});
