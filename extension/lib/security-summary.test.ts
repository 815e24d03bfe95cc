import { describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../shared/account-api.ts';
import { buildSecuritySummary, PORTAL } from './security-summary.ts';
import { securityStatus } from './status-fixture.test-helper.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const day = 24 * 3600 * 1000;
const device = (id: string, firstSeenDaysAgo: number, current = false): DeviceSummary => ({
  id, browser: 'Firefox 153', os: 'Linux', ip: '203.0.113.7', firstSeenAt: new Date(NOW - firstSeenDaysAgo * day).toISOString(), lastSeenAt: new Date(NOW).toISOString(), current, apps: [],
});
const ids = (summary: ReturnType<typeof buildSecuritySummary>, state: 'todo' | 'done') => summary.items.filter((i) => i.state === state).map((i) => i.id);

describe('buildSecuritySummary', () => {
  it('says a healthy account is in good shape and lists what was checked', () => {
    const summary = buildSecuritySummary(securityStatus(), [device('me', 30, true)], NOW);
    expect(summary).toMatchObject({ todo: 0, headline: 'Your account is in good shape' });
    expect(ids(summary, 'done')).toEqual(['two-factor', 'email', 'new-devices', 'recovery-codes', 'api-keys']);
  });

  it('counts the to-do items in the headline and puts them first, most protective first', () => {
    const status = securityStatus({ twoFactorEnabled: false, emailVerified: false, apiKeys: { total: 2, expiringWithin7Days: 1 } });
    const summary = buildSecuritySummary(status, [device('me', 30, true), device('new', 1)], NOW);
    expect(summary.headline).toBe('4 things to do');
    expect(ids(summary, 'todo')).toEqual(['two-factor', 'email', 'new-devices', 'api-keys']);
    expect(summary.items[0]).toMatchObject({ title: 'Turn on two-factor authentication.', href: PORTAL.twoFactor });
    expect(summary.items.every((item) => item.state === 'done' || item.why.length > 0)).toBe(true);
    expect(buildSecuritySummary(securityStatus({ emailVerified: false }), null, NOW).headline).toBe('1 thing to do');
  });

  it('does not show recovery codes as passed while 2FA is off', () => {
    const summary = buildSecuritySummary(securityStatus({ twoFactorEnabled: false, recoveryCodesLeft: 0 }), null, NOW);
    expect(summary.items.map((i) => i.id)).not.toContain('recovery-codes');
    expect(buildSecuritySummary(securityStatus({ recoveryCodesLeft: 2 }), null, NOW).items[0]).toMatchObject({ id: 'recovery-codes', state: 'todo', title: 'Create new recovery codes: only 2 left.' });
  });

  it('shows the passkey item only once the status reports passkeys', () => {
    expect(buildSecuritySummary(securityStatus(), null, NOW).items.map((i) => i.id)).not.toContain('passkey');
    expect(buildSecuritySummary({ ...securityStatus(), passkeys: 0 }, null, NOW).items[0]).toMatchObject({ id: 'passkey', state: 'todo', href: PORTAL.passkeys });
    expect(buildSecuritySummary({ ...securityStatus(), passkeys: 2 }, null, NOW).items.find((i) => i.id === 'passkey')).toMatchObject({ state: 'done', title: '2 passkeys set up.' });
  });

  it('leaves out API keys when there are none and devices when they are not known', () => {
    const summary = buildSecuritySummary(securityStatus({ apiKeys: { total: 0, expiringWithin7Days: 0 } }), null, NOW);
    expect(summary.items.map((i) => i.id)).toEqual(['two-factor', 'email', 'recovery-codes']);
  });

  it('counts only other devices first seen this week as new', () => {
    const summary = buildSecuritySummary(securityStatus(), [device('me', 0, true), device('old', 8), device('a', 2), device('b', 0)], NOW);
    expect(summary.items[0]).toMatchObject({ id: 'new-devices', state: 'todo', title: 'Check 2 sign-ins on a new device this week.' });
  });

  it('links to the portal section the IdP names and keeps recommendations it does not know', () => {
    const status = securityStatus({
      twoFactorEnabled: false,
      recommendations: [
        { code: 'enable_2fa', message: 'Turn on two-factor authentication.', href: '/my/security#two-factor-setup' },
        { code: 'change_password' as never, message: 'Change your password: it appeared in a breach.', href: '/my/security#password' },
      ],
    });
    const summary = buildSecuritySummary(status, null, NOW);
    expect(summary.items[0]?.href).toBe('/my/security#two-factor-setup');
    expect(summary.items.find((i) => i.id === 'idp-change_password')).toMatchObject({ state: 'todo', href: '/my/security#password' });
    expect(summary.headline).toBe('2 things to do');
  });
});
