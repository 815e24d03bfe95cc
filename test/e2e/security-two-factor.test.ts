/**
 * Two-factor authentication end to end over HTTP: enrollment reads the secret from the page, sign-in
 * asks for the code after the password, a replayed code is refused, recovery codes work once, wrong
 * codes are throttled, remembered devices skip the code, turning 2FA off needs re-authentication; the
 * secret is stored sealed, and one stored in clear by an earlier version still works and gets sealed.
 */
import { describe, expect, it } from 'vitest';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { advance, enableTwoFactor, portalSignIn, totp } from '../helpers/security.ts';

const idp = useTestIdp({ resetClock: true });
const password = 'correct horse battery staple';

describe('two-factor authentication', () => {
  it('enrolls, then asks for a code at sign-in, refuses a replay and accepts a recovery code once', async () => {
    const email = 'grace@example.com';
    await idp.createAccount(email, password, 'Grace Hopper');
    const first = new TestBrowser();
    const account = await portalSignIn(idp, first, email, password);
    expect(account.url).toContain('/my/account');

    // A wrong first code leaves 2FA off and says why.
    const security = await first.request(`${idp.issuer}/my/security`);
    const enroll = await first.submit(security, '/my/security/2fa/start', {});
    const wrong = await first.submit(enroll, '/my/security/2fa/confirm', { code: 'abc' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('6-digit code');
    const { secret, recoveryCodes } = await enableTwoFactor(first, idp);
    expect(idp.lastMailTo(email)?.subject).toBe('Two-factor authentication is on');
    const page = await first.request(`${idp.issuer}/my/security`);
    expect(page.body).toContain('<strong id="recovery-left">10</strong>');

    // Sign-in now stops at the code form.
    advance(30);
    const second = new TestBrowser();
    const codeForm = await portalSignIn(idp, second, email, password);
    expect(codeForm.status).toBe(200);
    expect(codeForm.body).toContain('second-factor');
    const bad = await second.submit(codeForm, '/second-factor', { code: '000000' });
    expect(bad.status).toBe(401);
    expect(bad.body).toContain('That code is not valid');
    const code = totp(secret);
    const signedIn = await second.submit(bad, '/second-factor', { code });
    expect(signedIn.url).toContain('/my/account');

    // The same code (same time step) is never accepted again, even from another browser.
    const third = new TestBrowser();
    const again = await portalSignIn(idp, third, email, password);
    const replay = await third.submit(again, '/second-factor', { code });
    expect(replay.status).toBe(401);

    // A recovery code works once, and says so by mail.
    const recovered = await third.submit(replay, '/second-factor', { code: recoveryCodes[0]!.toUpperCase() });
    expect(recovered.url).toContain('/my/account');
    const recoveryMail = idp.mails.filter((m) => m.to === email && m.subject === 'A recovery code was used');
    expect(recoveryMail).toHaveLength(1);
    expect(recoveryMail[0]!.text).toContain('9 recovery code(s) are left');
    // Each new browser also got a "new sign-in" notice.
    expect(idp.mails.filter((m) => m.to === email && m.subject === 'New sign-in to your account').length).toBeGreaterThanOrEqual(2);
    const fourth = new TestBrowser();
    const form4 = await portalSignIn(idp, fourth, email, password);
    const reused = await fourth.submit(form4, '/second-factor', { code: recoveryCodes[0]! });
    expect(reused.status).toBe(401);
    const left = await third.request(`${idp.issuer}/my/security`);
    expect(left.body).toContain('<strong id="recovery-left">9</strong>');
  });

  it('stores the TOTP secret sealed; a secret stored in clear by an earlier version still works and gets sealed', async () => {
    const email = 'sealed@example.com';
    const { id } = await idp.createAccount(email, password);
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, email, password);
    const { secret } = await enableTwoFactor(browser, idp);
    const stored = async () => (await idp.services.db.get<{ secret: string }>("SELECT secret FROM credentials WHERE account_id = ? AND type = 'totp'", [id]))!.secret;
    expect(await stored()).toMatch(/^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await stored()).not.toContain(secret);

    // A row from before encryption: the clear base32 secret.
    await idp.services.db.run("UPDATE credentials SET secret = ? WHERE account_id = ? AND type = 'totp'", [secret, id]);
    advance(30);
    const legacy = new TestBrowser();
    const signedIn = await legacy.submit(await portalSignIn(idp, legacy, email, password), '/second-factor', { code: totp(secret) });
    expect(signedIn.url).toContain('/my/account');
    // What every start does (main.ts): seal it in place.
    expect(await idp.services.security.twoFactorRepo.sealLegacySecrets()).toBe(1);
    expect(await stored()).toMatch(/^v2\./);
    advance(30);
    const after = new TestBrowser();
    const again = await after.submit(await portalSignIn(idp, after, email, password), '/second-factor', { code: totp(secret) });
    expect(again.url).toContain('/my/account');
  });

  it('throttles wrong codes per account with a clear message', async () => {
    const email = 'throttle2fa@example.com';
    await idp.createAccount(email, password);
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, email, password);
    const { secret } = await enableTwoFactor(browser, idp);
    advance(30);
    const attacker = new TestBrowser();
    let page = await portalSignIn(idp, attacker, email, password);
    for (let i = 0; i < 5; i++) page = await attacker.submit(page, '/second-factor', { code: String(100000 + i) });
    const blocked = await attacker.submit(page, '/second-factor', { code: totp(secret) });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toContain('Too many wrong codes');
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });

  it('remembers a device for 30 days, and turning 2FA off needs re-authentication and forgets it', async () => {
    const email = 'remember@example.com';
    await idp.createAccount(email, password);
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, email, password);
    const { secret } = await enableTwoFactor(browser, idp);
    advance(30);
    const laptop = new TestBrowser();
    const form = await portalSignIn(idp, laptop, email, password);
    const ok = await laptop.submit(form, '/second-factor', { code: totp(secret), remember: 'yes' });
    expect(ok.url).toContain('/my/account');
    // Sign out (drop the session cookie only) and sign in again: no code asked.
    for (const jar of laptop.cookies.values()) for (const name of [...jar.keys()]) if (name.startsWith('_session')) jar.delete(name);
    const back = await portalSignIn(idp, laptop, email, password);
    expect(back.url).toContain('/my/account');

    // Eleven minutes later, turning 2FA off asks for the password and a code first.
    advance(11 * 60);
    const security = await laptop.request(`${idp.issuer}/my/security`);
    const ask = await laptop.submit(security, '/my/security/2fa/disable', {});
    expect(ask.status).toBe(401);
    expect(ask.body).toContain('Confirm it is you');
    const wrongPassword = await laptop.submit(ask, '/my/security/2fa/disable', { reauth_password: 'nope nope nope', reauth_code: totp(secret) });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toContain('That password is not correct.');
    const off = await laptop.submit(wrongPassword, '/my/security/2fa/disable', { reauth_password: password, reauth_code: totp(secret) });
    expect(off.url).toContain('done=2fa-off');
    expect(off.body).toContain('Two-factor authentication is off.');
    expect(idp.lastMailTo(email)?.subject).toBe('Two-factor authentication is off');
    expect(await idp.services.security.twoFactor.countTrustedDevices((await idp.services.accounts.findByEmail(email))!.id)).toBe(0);
  });
});
