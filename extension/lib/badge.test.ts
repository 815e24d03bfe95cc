import { describe, expect, it } from 'vitest';
import { BADGE_AMBER, BADGE_RED, computeBadge } from './badge.ts';
import { securityStatus } from './status-fixture.test-helper.ts';

describe('computeBadge', () => {
  it('shows a red "!" when two-factor authentication is off, even if keys also expire', () => {
    const badge = computeBadge(securityStatus({ twoFactorEnabled: false, apiKeys: { total: 3, expiringWithin7Days: 2 } }), true);
    expect(badge).toMatchObject({ text: '!', color: BADGE_RED });
    expect(badge.title).toMatch(/two-factor/);
  });

  it('shows the number of keys expiring within 7 days in amber', () => {
    expect(computeBadge(securityStatus({ apiKeys: { total: 3, expiringWithin7Days: 2 } }), true)).toMatchObject({ text: '2', color: BADGE_AMBER });
  });

  it('is cleared when all is well, when signed out, and before the first status', () => {
    expect(computeBadge(securityStatus(), true).text).toBe('');
    expect(computeBadge(securityStatus({ twoFactorEnabled: false }), false).text).toBe('');
    expect(computeBadge(null, true).text).toBe('');
  });
});
