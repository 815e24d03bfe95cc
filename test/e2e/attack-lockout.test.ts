/**
 * Issue 13, finding 2 (anyone can lock anyone out), performed over HTTP against the real IdP behind a
 * proxy (IDP_TRUST_PROXY, so each request says its client address in X-Forwarded-For).
 *
 * A stranger guesses the owner's password until refused. The guessing limit still holds for the
 * stranger, but the owner's browser that signed in before (its signed `lk_device` cookie) is not
 * refused, even from the stranger's own address; nor is the owner on a new device elsewhere. The
 * stranger's waits grow (15 minutes, then the hour), addresses of one IPv6 /64 count as one, and a
 * copied device cookie without its signature is worth nothing.
 */
import { describe, expect, it } from 'vitest';
import { TestBrowser, findForm, type PageResponse } from '../helpers/browser.ts';
import { advance } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'the owner passphrase';

/** One password attempt on the portal's sign-in form from `ip`; follows a success to the account page. */
async function signIn(browser: TestBrowser, email: string, secret: string, ip: string): Promise<PageResponse> {
  const page = await browser.follow(`${idp.issuer}/my/login`);
  const form = findForm(page.body, '/login');
  const action = new URL(form.action.replace(/&amp;/g, '&'), page.url);
  const res = await browser.request(action, { method: 'POST', form: { ...form.hidden, email, password: secret }, headers: { 'x-forwarded-for': ip } });
  return res.location ? browser.follow(res.location) : res;
}

/** A browser that keeps only the device cookie of `from` (signed in before, session since ended). */
function returningDevice(from: TestBrowser): TestBrowser {
  const browser = new TestBrowser();
  for (const [host, cookies] of from.cookies) {
    browser.cookies.set(host, new Map([...cookies].filter(([name]) => name === 'lk_device' || name === 'lk_device.sig')));
  }
  expect([...browser.cookies.values()].some((c) => c.has('lk_device') && c.has('lk_device.sig'))).toBe(true);
  return browser;
}

async function guess(email: string, ip: string, times: number, browser = new TestBrowser()): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await signIn(browser, email, `wrong guess number ${i}`, ip)).status);
  return statuses;
}

describe('attack: locking the owner out by guessing (issue 13, finding 2)', () => {
  it('the owner\'s known device signs in with the right password while a stranger is refused', async () => {
    const email = 'locked-owner@example.com';
    await idp.createAccount(email, password);
    const owner = new TestBrowser();
    expect((await signIn(owner, email, password, '198.51.100.7')).url).toContain('/my/account');

    // Eleven wrong passwords from a stranger: ten are checked, the eleventh is refused.
    const stranger = '203.0.113.66';
    const statuses = await guess(email, stranger, 11);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    // The guessing limit holds for the stranger: even the right password is refused from there.
    const blocked = await signIn(new TestBrowser(), email, password, stranger);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toContain('Too many failed sign-in attempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

    // A device cookie copied without its signature is an unknown device.
    const forged = new TestBrowser();
    for (const [host, cookies] of owner.cookies) forged.cookies.set(host, new Map([...cookies].filter(([name]) => name === 'lk_device')));
    expect((await signIn(forged, email, password, stranger)).status).toBe(429);

    // The owner's browser that signed in before is not refused, even from the stranger's address...
    const back = await signIn(returningDevice(owner), email, password, stranger);
    expect(back.url).toContain('/my/account');
    expect(back.status).toBe(200);
    // ...nor is the owner on a new device at another address: one address cannot lock the account.
    expect((await signIn(new TestBrowser(), email, password, '198.51.100.200')).url).toContain('/my/account');
  });

  it('a known device has a guessing budget of its own', async () => {
    const email = 'own-budget@example.com';
    await idp.createAccount(email, password);
    const owner = new TestBrowser();
    expect((await signIn(owner, email, password, '198.51.100.9')).url).toContain('/my/account');
    const device = returningDevice(owner);
    expect(await guess(email, '198.51.100.9', 11, device)).toEqual([...Array(10).fill(401), 429]);
    // Its failures do not count against anyone else: a new device at the same address still gets in.
    expect((await signIn(new TestBrowser(), email, password, '198.51.100.9')).url).toContain('/my/account');
  });

  it('counts the addresses of one IPv6 /64 as one', async () => {
    const email = 'ipv6-owner@example.com';
    await idp.createAccount(email, password);
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++) statuses.push((await signIn(new TestBrowser(), email, `wrong guess ${i}`, `2001:db8:aa:bb::${i.toString(16)}`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect((await signIn(new TestBrowser(), email, password, '2001:db8:aa:bb:ffff:ffff:ffff:ffff')).status).toBe(429);
    // Another /64 is another address.
    expect((await signIn(new TestBrowser(), email, password, '2001:db8:aa:cc::1')).url).toContain('/my/account');
  });

  it('makes a persistent stranger wait longer each time (progressive delays)', async () => {
    const email = 'progressive@example.com';
    await idp.createAccount(email, password);
    const stranger = '203.0.113.99';
    expect(await guess(email, stranger, 11)).toEqual([...Array(10).fill(401), 429]);
    const first = await signIn(new TestBrowser(), email, 'yet another guess', stranger);
    expect(Number(first.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);

    advance(16 * 60);
    // Nine more guesses in the next window, then the hourly limit: the wait is now most of an hour.
    expect(await guess(email, stranger, 8)).toEqual(Array(8).fill(401));
    const second = await signIn(new TestBrowser(), email, 'and one more guess', stranger);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(15 * 60);
  });
});
