/**
 * Lockdown end to end: the "this wasn't me" link of a new-sign-in mail (single use, bound to its
 * account) ends the attacker's session, makes their API key inactive at introspection, kills earlier
 * reset links and refuses sign-in until the password is reset from the mail it sends; the same from the
 * activity page (no recent sign-in asked) and the account API (access tokens only).
 */
import { describe, expect, it } from 'vitest';
import { linkFrom } from '../helpers/idp.ts';
import { apiWithKey, browserAt, createApiKey, createDatabaseFor, FIREFOX_WINDOWS, introspect } from '../helpers/activity.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { portalSignIn } from '../helpers/security.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'correct horse battery staple';

describe('lockdown', () => {
  it('from the new-sign-in mail: ends the attacker session, kills their API key, refuses sign-in until the reset', async () => {
    const email = 'victim@example.com';
    const victim = await idp.createAccount(email, password);
    const database = await createDatabaseFor(idp, victim.id, 'Victimco');
    const laptop = browserAt('198.51.100.10');
    expect((await portalSignIn(idp, laptop, email, password)).url).toContain('/my/account');

    // Someone else signs in from a new device, asks for a reset link and makes an API key.
    const attacker = browserAt('203.0.113.99', FIREFOX_WINDOWS);
    expect((await portalSignIn(idp, attacker, email, password)).url).toContain('/my/account');
    const alert = idp.lastMailTo(email)!;
    expect(alert.subject).toBe('New sign-in to your account');
    expect(alert.text).toContain('203.0.113.99');
    const link = linkFrom(alert, '/lockdown?token=');
    const forgot = await attacker.request(`${idp.issuer}/password/forgot`);
    await attacker.submit(forgot, '/password/forgot', { email });
    const attackerReset = linkFrom(idp.lastMailTo(email), '/password/reset?token=');
    const key = await createApiKey(idp, victim.id, 'attacker key');
    expect(await introspect(idp, key.secret, database)).toMatchObject({ active: true });

    // A mail scanner's GET does not spend the link; the person's POST does.
    const confirm = await attacker.request(link.toString().replace(/^https?:\/\/[^/]+/, idp.issuer));
    const owner = browserAt('198.51.100.11');
    const page = await owner.request(link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Secure my account');
    expect(confirm.status).toBe(200);
    const done = await owner.submit(page, '/lockdown', {});
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your account is secured');

    // The attacker (and every other session) is out, the key is dead, old reset links are dead.
    const attackerPortal = await attacker.request(`${idp.issuer}/my/account`);
    expect(attackerPortal.status).toBe(302);
    expect(attackerPortal.location).toContain('/my/login');
    expect((await laptop.request(`${idp.issuer}/my/account`)).status).toBe(302);
    expect(await introspect(idp, key.secret, database)).toEqual({ active: false });
    expect((await apiWithKey(idp, key.secret, '/status')).status).toBe(401);
    expect((await attacker.request(attackerReset)).status).toBe(410);

    // The link works once.
    expect((await owner.request(link)).status).toBe(410);
    const again = await owner.request(`${idp.issuer}/lockdown`, { form: { token: link.searchParams.get('token')!, _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]! } });
    expect(again.status).toBe(410);

    // Sign-in is refused, even with the right password, until the reset from the lockdown mail.
    const refused = await portalSignIn(idp, browserAt('203.0.113.99', FIREFOX_WINDOWS), email, password);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('This account was secured');
    const secured = idp.lastMailTo(email)!;
    expect(secured.subject).toBe('Your account is secured: choose a new password');
    const reset = linkFrom(secured, '/password/reset?token=');
    const resetPage = await owner.request(reset);
    expect(resetPage.status).toBe(200);
    const changed = await owner.submit(resetPage, '/password/reset', { password: 'a brand new passphrase 9' });
    expect(changed.body).toContain('Password changed');
    expect((await portalSignIn(idp, owner, email, 'a brand new passphrase 9')).url).toContain('/my/account');

    const activity = await owner.request(`${idp.issuer}/my/security/activity?limit=100`);
    expect(activity.body).toContain('locked down from the link in a sign-in mail');
    expect(activity.body).toContain('Sign-in refused: the account is locked');
    expect(activity.body).toContain('The lockdown ended with a password reset.');
  });

  it('from the activity page: one confirmation, no recent sign-in, the current session ends too', async () => {
    const email = 'page-lockdown@example.com';
    const account = await idp.createAccount(email, password);
    const other = await idp.createAccount('someone-else@example.com', password);
    const browser = browserAt('198.51.100.30');
    await portalSignIn(idp, browser, email, password);
    await portalSignIn(idp, browserAt('203.0.113.31'), other.email, 'not the right one');
    const otherEntry = (await idp.services.activity.page(other.id, { limit: 1 })).entries[0]!;
    const activity = await browser.request(`${idp.issuer}/my/security/activity`);
    const entryId = activity.body.match(/\/my\/security\/lockdown\?entry=(\d+)/)![1]!;

    expect((await browser.request(`${idp.issuer}/my/security/lockdown?entry=abc`)).status).toBe(400);
    const foreign = await browser.request(`${idp.issuer}/my/security/lockdown?entry=${otherEntry.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).not.toContain('203.0.113.31');
    const confirm = await browser.request(`${idp.issuer}/my/security/lockdown?entry=${entryId}`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('You reported: Signed in.');

    const done = await browser.submit(confirm, '/my/security/lockdown', {});
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your account is secured');
    expect((await browser.request(`${idp.issuer}/my/account`)).status).toBe(302);
    expect(await idp.services.security.lockdown.isLocked(account.id)).toBe(true);
    expect(await idp.services.security.lockdown.isLocked(other.id)).toBe(false);
  });

  it('refuses bad and unknown links, and API keys at the account API', async () => {
    const account = await idp.createAccount('api-lockdown@example.com', password);
    const browser = browserAt('198.51.100.40');
    expect((await browser.request(`${idp.issuer}/lockdown?token=short`)).status).toBe(400);
    expect((await browser.request(`${idp.issuer}/lockdown?token=${'A'.repeat(43)}`)).status).toBe(410);
    const key = await createApiKey(idp, account.id);
    const res = await apiWithKey(idp, key.secret, '/lockdown', { method: 'POST', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('An API key cannot lock the account down');
    expect(await idp.services.security.lockdown.isLocked(account.id)).toBe(false);
  });
});
