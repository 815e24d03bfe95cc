/**
 * Recent security activity end to end: sign-ins (failed and successful, from two browsers), a password
 * change and an API key's first use from a new IP appear on the portal page and in `GET /api/v1/activity`
 * with device, IP and app; paging with cursors; one account never sees another's; bad cursors are 400s;
 * entries past 90 days are purged by maintenance.
 */
import { describe, expect, it } from 'vitest';
import type { ActivityEntry, ActivityPage } from '../../shared/account-api.ts';
import { runMaintenance } from '../../idp/src/maintenance.ts';
import { apiWithKey, browserAt, createApiKey, FIREFOX_WINDOWS, SAFARI_IPHONE } from '../helpers/activity.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { advance, portalSignIn } from '../helpers/security.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'correct horse battery staple';

async function activityOf(key: string, query = ''): Promise<ActivityPage> {
  const res = await apiWithKey<ActivityPage>(idp, key, `/activity${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('recent security activity', () => {
  it('shows sign-ins, a password change and an API key use with device, IP and app', async () => {
    const email = 'activity@example.com';
    const account = await idp.createAccount(email, password);
    const attacker = browserAt('203.0.113.66', FIREFOX_WINDOWS);
    const failed = await portalSignIn(idp, attacker, email, 'not the password at all');
    expect(failed.status).toBe(401);
    const phone = browserAt('198.51.100.20', SAFARI_IPHONE);
    const signedIn = await portalSignIn(idp, phone, email, password);
    expect(signedIn.url).toContain('/my/account');

    const security = await phone.request(`${idp.issuer}/my/security`);
    expect(security.body).toContain('href="/my/security/activity"');
    const changed = await phone.submit(security, '/my/security/password', { current_password: password, new_password: 'another long passphrase 2' });
    expect(changed.url).toContain('done=password');

    const key = await createApiKey(idp, account.id);
    expect((await apiWithKey(idp, key.secret, '/status', { ip: '192.0.2.44', userAgent: 'python-requests/2.31.0' })).status).toBe(200);

    const { entries } = await activityOf(key.secret);
    const byKind = (kind: string) => entries.filter((e) => e.kind === kind);
    expect(byKind('signin.failed')).toHaveLength(1);
    expect(byKind('signin.failed')[0]).toMatchObject({ ip: '203.0.113.66', device: 'Firefox 128 on Windows 10' });
    expect(byKind('signin.succeeded')[0]).toMatchObject({ ip: '198.51.100.20', device: 'Safari 17 on iOS', detail: 'Signed in.' });
    expect(byKind('signin.succeeded')[0]!.app).toBeTruthy();
    expect(byKind('password.changed')[0]).toMatchObject({ ip: '198.51.100.20', device: 'Safari 17 on iOS' });
    // (Reading the activity with the key from 127.0.0.1 is a use from a new IP too.)
    const use = byKind('api_key.new_ip').find((e) => e.ip === '192.0.2.44')!;
    expect(use).toBeTruthy();
    expect(use.detail).toContain(key.visibleId);
    expect(use.device).toBeTruthy();
    // Newest first: the key use, then the password change, then the sign-in, then the failure.
    const order = [entries.indexOf(use), ...['password.changed', 'signin.succeeded', 'signin.failed'].map((k) => entries.findIndex((e) => e.kind === k))];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // A second use from the same IP is not news.
    await apiWithKey(idp, key.secret, '/status', { ip: '192.0.2.44' });
    expect((await activityOf(key.secret)).entries.filter((e) => e.kind === 'api_key.new_ip' && e.ip === '192.0.2.44')).toHaveLength(1);

    // The portal page shows the same, with "This wasn't me" on each entry.
    const page = await phone.request(`${idp.issuer}/my/security/activity`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Failed sign-in: wrong password.');
    expect(page.body).toContain('203.0.113.66');
    expect(page.body).toContain('Firefox 128 on Windows 10');
    expect(page.body).toContain('(UTC)');
    expect(page.body.match(/This wasn&#39;t me|This wasn't me/g)!.length).toBeGreaterThan(entries.length);
  });

  it('pages with cursors, newest first, without overlap', async () => {
    const account = await idp.createAccount('paging@example.com', password);
    const key = await createApiKey(idp, account.id);
    for (let i = 0; i < 4; i++) await idp.services.audit.record({ accountId: account.id, actor: account.id, event: 'email.verified' });
    const all = (await activityOf(key.secret, '?limit=100')).entries;
    const seen: ActivityEntry[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const page = await activityOf(key.secret, query);
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries);
      if (!page.nextCursor) break;
      query = `?limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it("never shows one account's activity to another", async () => {
    const alice = await idp.createAccount('alice-activity@example.com', password);
    const bob = await idp.createAccount('bob-activity@example.com', password);
    const aliceKey = await createApiKey(idp, alice.id);
    const bobKey = await createApiKey(idp, bob.id);
    await portalSignIn(idp, browserAt('203.0.113.201'), alice.email, 'wrong password for alice');
    const aliceEntries = (await activityOf(aliceKey.secret, '?limit=100')).entries;
    expect(aliceEntries.some((e) => e.ip === '203.0.113.201')).toBe(true);
    // Bob's list, and Bob paging from just past Alice's newest entry, hold only Bob's events.
    const newest = Number(aliceEntries[0]!.id);
    for (const query of ['?limit=100', `?limit=100&cursor=${newest + 1}`, `?cursor=${newest}`]) {
      const bobs = (await activityOf(bobKey.secret, query)).entries;
      expect(bobs.some((e) => aliceEntries.some((a) => a.id === e.id))).toBe(false);
      expect(bobs.some((e) => e.ip === '203.0.113.201' || e.detail.includes(aliceKey.visibleId))).toBe(false);
    }
    const bobBrowser = browserAt('198.51.100.77');
    await portalSignIn(idp, bobBrowser, bob.email, password);
    const bobPage = await bobBrowser.request(`${idp.issuer}/my/security/activity?cursor=${newest + 1}`);
    expect(bobPage.status).toBe(200);
    expect(bobPage.body).not.toContain('203.0.113.201');
    expect(bobPage.body).not.toContain(aliceKey.visibleId);
  });

  it('refuses bad cursors and page sizes with a 400 and a sentence', async () => {
    const account = await idp.createAccount('bad-cursor@example.com', password);
    const key = await createApiKey(idp, account.id);
    for (const query of ['?cursor=abc', '?cursor=0', '?cursor=-5', `?cursor=${'9'.repeat(40)}`, '?limit=0', '?limit=101', '?limit=ten', '?cursor=1&cursor=2']) {
      const res = await apiWithKey(idp, key.secret, `/activity${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toMatch(/cursor|page size/);
    }
    const browser = browserAt('198.51.100.78');
    await portalSignIn(idp, browser, account.email, password);
    const page = await browser.request(`${idp.issuer}/my/security/activity?cursor=nope`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('The page cursor is not valid');

  });

  it("shows times in the account's time zone", async () => {
    const account = await idp.createAccount('zoned@example.com', password);
    await idp.services.accountsRepo.update(account.id, { timezone: 'Asia/Tokyo' }, Math.floor(Date.now() / 1000));
    const browser = browserAt('198.51.100.79');
    await portalSignIn(idp, browser, account.email, password);
    const page = await browser.request(`${idp.issuer}/my/security/activity`);
    const signIn = (await idp.services.activity.page(account.id, { limit: 100 })).entries.find((e) => e.kind === 'signin.succeeded')!;
    const tokyo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(signIn.at));
    expect(page.body).toContain(`${tokyo} (Asia/Tokyo)`);
    expect(page.body).toContain(`datetime="${signIn.at}"`);
  });

  it('keeps 90 days: maintenance purges older events', async () => {
    const account = await idp.createAccount('retention@example.com', password);
    const key = await createApiKey(idp, account.id);
    expect((await activityOf(key.secret)).entries.some((e) => e.kind === 'api_key.created')).toBe(true);
    advance(91 * 24 * 3600);
    const fresh = await createApiKey(idp, account.id, 'after 91 days');
    const removed = await runMaintenance(idp.services);
    expect(removed.activity).toBeGreaterThan(0);
    const { entries } = await activityOf(fresh.secret, '?limit=100');
    expect(entries.some((e) => e.detail.includes(key.visibleId))).toBe(false);
    expect(entries.some((e) => e.detail.includes(fresh.visibleId))).toBe(true);
  });
});
