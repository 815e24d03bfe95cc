/**
 * Self-service account flows over HTTP: sign up (no account enumeration), confirm the email by link,
 * sign in through the portal, forgot/reset password (same answer for unknown emails, one-time links,
 * sessions ended), CSRF and security headers on our pages.
 */
import { describe, expect, it } from 'vitest';
import { linkFrom } from '../helpers/idp.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser, findForm } from '../helpers/browser.ts';

const idp = useTestIdp();

async function portalSignIn(browser: TestBrowser, email: string, password: string) {
  const login = await browser.follow(`${idp.issuer}/my/login`);
  expect(login.body).toContain('Sign in');
  return browser.submit(login, '/login', { email, password });
}

describe('sign up and confirm', () => {
  it('creates an account, mails a confirmation link, and signs in through the portal', async () => {
    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/signup`);
    const done = await browser.submit(form, '/signup', { name: 'Linus', email: 'linus@example.com', password: 'penguins on ice' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Check your inbox');
    const mail = idp.lastMailTo('linus@example.com');
    expect(mail?.subject).toBe('Confirm your email address');

    const account = await portalSignIn(browser, 'linus@example.com', 'penguins on ice');
    expect(account.status).toBe(200);
    expect(account.url).toContain('/my/account');
    expect(account.body).toContain('not confirmed');

    const link = linkFrom(mail, '/verify-email');
    const confirm = await browser.request(link);
    expect(confirm.status).toBe(200); // GET only shows a button: link scanners cannot spend the token
    const confirmed = await browser.submit(confirm, '/verify-email', {});
    expect(confirmed.body).toContain('is confirmed');
    const again = await browser.submit(confirm, '/verify-email', {});
    expect(again.status).toBe(410);
    const page = await browser.request(`${idp.issuer}/my/account`);
    expect(page.body).toContain('(confirmed)');
  });

  it('answers the same for a taken email and tells its owner instead', async () => {
    await idp.createAccount('taken@example.com', 'first passphrase');
    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/signup`);
    const done = await browser.submit(form, '/signup', { name: 'Mallory', email: 'TAKEN@example.com', password: 'another passphrase' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Check your inbox');
    expect(idp.lastMailTo('taken@example.com')?.subject).toMatch(/Someone tried/);
  });

  it('explains bad input on the form', async () => {
    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/signup`);
    const bad = await browser.submit(form, '/signup', { name: '', email: 'nope', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Enter your name.');
    const weak = await browser.submit(form, '/signup', { name: 'Eve', email: 'eve@example.com', password: 'eve@example.com!' });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain('must not contain your email');
  });
});

describe('forgot and reset password', () => {
  it('answers the same for unknown emails, resets once, and ends every session', async () => {
    await idp.createAccount('reset@example.com', 'old passphrase here');
    const signedIn = new TestBrowser();
    expect((await portalSignIn(signedIn, 'reset@example.com', 'old passphrase here')).url).toContain('/my/account');

    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/password/forgot`);
    const known = await browser.submit(form, '/password/forgot', { email: 'reset@example.com' });
    const unknown = await browser.submit(form, '/password/forgot', { email: 'ghost@example.com' });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (s: string) => s.replace(/reset@example.com|ghost@example.com/g, 'X').replace(/value="[^"]*"/g, '');
    expect(strip(known.body)).toBe(strip(unknown.body));
    expect(idp.lastMailTo('ghost@example.com')).toBeUndefined();

    const link = linkFrom(idp.lastMailTo('reset@example.com'), '/password/reset');
    const resetForm = await browser.request(link);
    expect(resetForm.status).toBe(200);
    const tooShort = await browser.submit(resetForm, '/password/reset', { password: 'short' });
    expect(tooShort.status).toBe(400);
    const done = await browser.submit(resetForm, '/password/reset', { password: 'brand new passphrase' });
    expect(done.body).toContain('Password changed');
    const reused = await browser.submit(resetForm, '/password/reset', { password: 'another new passphrase' });
    expect(reused.status).toBe(410);

    // The other browser's session was ended.
    const stale = await signedIn.request(`${idp.issuer}/my/account`);
    expect(stale.status).toBe(302);
    const old = await portalSignIn(new TestBrowser(), 'reset@example.com', 'old passphrase here');
    expect(old.status).toBe(401);
    const fresh = await portalSignIn(new TestBrowser(), 'reset@example.com', 'brand new passphrase');
    expect(fresh.url).toContain('/my/account');
  });

  it('rejects a malformed or unknown token with a clear page', async () => {
    const browser = new TestBrowser();
    expect((await browser.request(`${idp.issuer}/password/reset?token=abc`)).status).toBe(400);
    expect((await browser.request(`${idp.issuer}/password/reset?token=${'a'.repeat(43)}`)).status).toBe(410);
  });
});

describe('sign-in protection', () => {
  it('throttles repeated failures for an account with a clear message', async () => {
    await idp.createAccount('target@example.com', 'the real passphrase');
    const browser = new TestBrowser();
    let page = await browser.follow(`${idp.issuer}/my/login`);
    for (let i = 0; i < 10; i++) {
      page = await browser.submit(page, '/login', { email: 'target@example.com', password: `wrong guess ${i}` });
      expect(page.status).toBe(401);
    }
    page = await browser.submit(page, '/login', { email: 'target@example.com', password: 'the real passphrase' });
    expect(page.status).toBe(429);
    expect(page.body).toContain('Too many failed sign-in attempts');
    expect(page.headers.get('retry-after')).toBeTruthy();
  });
});

describe('sign-in protection under parallel guessing', () => {
  it('counts attempts before checking, so parallel guesses cannot pass the limit', async () => {
    await idp.createAccount('parallel@example.com', 'the real passphrase');
    const browser = new TestBrowser();
    const page = await browser.follow(`${idp.issuer}/my/login`);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) =>
      browser.submit(page, '/login', { email: 'parallel@example.com', password: `parallel guess ${i}` })));
    const checked = results.filter((r) => r.status === 401).length;
    const throttled = results.filter((r) => r.status === 429).length;
    expect(checked).toBe(10);
    expect(throttled).toBe(15);
  });
});

describe('HTTP hygiene', () => {
  it('refuses a form without a valid CSRF token or from another origin', async () => {
    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/password/forgot`);
    const { hidden } = findForm(form.body, '/password/forgot');
    const missing = await browser.request(`${idp.issuer}/password/forgot`, { form: { email: 'a@example.com' } });
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('expired');
    const crossSite = await browser.request(`${idp.issuer}/password/forgot`, { form: { ...hidden, email: 'a@example.com' }, headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    const ok = await browser.request(`${idp.issuer}/password/forgot`, { form: { ...hidden, email: 'a@example.com' } });
    expect(ok.status).toBe(200);
  });

  it('sets security headers and no-store on account pages', async () => {
    const browser = new TestBrowser();
    const page = await browser.request(`${idp.issuer}/signup`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const cookie = page.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
  });

  it('answers bad bodies and unknown pages with 4xx, never 500', async () => {
    const json = await fetch(`${idp.issuer}/password/forgot`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{not json' });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toBe('bad_request');
    const huge = await fetch(`${idp.issuer}/password/forgot`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${'a'.repeat(100_000)}` });
    expect(huge.status).toBe(400);
    const missing = await fetch(`${idp.issuer}/no/such/page`);
    expect(missing.status).toBe(404);
    // A browser gets the 404 page in our layout (language, title, a way back); other clients do not.
    const page = await fetch(`${idp.issuer}/no/such/page`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/<html lang="en">[\s\S]*<title>Page not found · Latchkey<\/title>/);
    const api = await fetch(`${idp.issuer}/no/such/page`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type') ?? '').not.toContain('html');
    const wrongMethod = await fetch(`${idp.issuer}/signup`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
  });
});
