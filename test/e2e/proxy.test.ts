/**
 * Behind a reverse proxy (IDP_TRUST_PROXY=true) the client address is the one the nearest proxy saw:
 * the rightmost X-Forwarded-For entry. Entries further left are whatever the client wrote, and per-IP
 * limits, device lists and the audit log must not believe them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' } });
beforeAll(async () => {
  await idp.createAccount('proxied@example.com', 'correct horse battery', 'Proxied');
});

describe('trusted proxy', () => {
  it('records the address the proxy saw, not one the client forged', async () => {
    const browser = new TestBrowser();
    const xff = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
    const wrap = browser.request.bind(browser);
    browser.request = (input, init = {}) => wrap(input, { ...init, headers: { ...xff, ...init.headers } });
    const login = await browser.follow(`${idp.issuer}/my/login`);
    const done = await browser.submit(login, '/login', { email: 'proxied@example.com', password: 'correct horse battery' });
    expect(done.url).toContain('/my/account');
    const rows = await idp.services.db.all<{ ip: string }>('SELECT ip FROM session_devices');
    expect(rows.map((r) => r.ip)).toEqual(['203.0.113.7']);
  });
});
