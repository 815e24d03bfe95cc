/** A healthy SecurityStatus for tests; override what the test is about. */
import type { SecurityStatus } from '../../shared/account-api.ts';

export function securityStatus(overrides: Partial<SecurityStatus> = {}): SecurityStatus {
  return {
    accountId: 'acct-1',
    email: 'ada@example.test',
    name: 'Ada',
    emailVerified: true,
    twoFactorEnabled: true,
    recoveryCodesLeft: 8,
    passwordChangedAt: '2026-01-01T00:00:00.000Z',
    passwordAgeDays: 30,
    signedInDevices: 1,
    lastSignInAt: null,
    apiKeys: { total: 2, expiringWithin7Days: 0 },
    recommendations: [],
    ...overrides,
  };
}
