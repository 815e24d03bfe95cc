import { describe, expect, it } from 'vitest';
import { securityStatus } from '../lib/status-fixture.test-helper.ts';
import { buildSecurityChecks } from './security-checks.ts';

const byId = (status: ReturnType<typeof securityStatus>) => Object.fromEntries(buildSecurityChecks(status).map((check) => [check.id, check]));

describe('buildSecurityChecks', () => {
  it('marks a healthy account as fine on every row', () => {
    expect(buildSecurityChecks(securityStatus()).every((check) => check.ok)).toBe(true);
  });

  it('flags 2FA off, unverified email, expiring keys and few recovery codes', () => {
    const checks = byId(securityStatus({ twoFactorEnabled: false, emailVerified: false, apiKeys: { total: 2, expiringWithin7Days: 1 } }));
    expect(checks['2fa']?.ok).toBe(false);
    expect(checks.email?.ok).toBe(false);
    expect(checks.keys?.ok).toBe(false);
    expect(byId(securityStatus({ recoveryCodesLeft: 1 })).recovery?.ok).toBe(false);
  });

  it('attaches the IdP recommendation (with its portal link) to the matching row', () => {
    const advice = { code: 'review_devices' as const, message: 'You are signed in on 9 devices.', href: '/my/security#devices' };
    const checks = byId(securityStatus({ recommendations: [advice] }));
    expect(checks.devices).toMatchObject({ ok: false, advice });
    expect(checks.password?.advice).toBeNull();
    expect(checks['2fa']?.advice).toBeNull();
  });
});
