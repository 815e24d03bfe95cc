/** Account API answers for the Chromium smoke test (shapes from shared/account-api.ts). */
import type { ApiKeySummary, DatabaseSummary, DeviceSummary, RotateApiKeyResponse, SecurityStatus } from '../../shared/account-api.ts';

const day = 24 * 3600 * 1000;
const key: ApiKeySummary = {
  id: 'key-1',
  description: 'CI deploy',
  visibleId: 'lk_3f9a2c',
  scope: 'read-write',
  databases: ['orders-prod'],
  createdAt: new Date(Date.now() - 80 * day).toISOString(),
  expiresAt: new Date(Date.now() + 3 * day).toISOString(),
  lastUsedAt: null,
  lastUsedIp: null,
};

export const smokeFixtures: Record<string, unknown> = {
  'GET /api/v1/status': {
    accountId: 'acct-1',
    email: 'ada@example.test',
    name: 'Ada',
    emailVerified: true,
    twoFactorEnabled: false,
    recoveryCodesLeft: 0,
    passwordChangedAt: new Date(Date.now() - 400 * day).toISOString(),
    passwordAgeDays: 400,
    signedInDevices: 3,
    lastSignInAt: null,
    apiKeys: { total: 1, expiringWithin7Days: 1 },
    recommendations: [{ code: 'enable_2fa', message: 'Turn on two-factor authentication.', href: '/my/security#two-factor' }],
  } satisfies SecurityStatus,
  'GET /api/v1/databases': [
    { id: 'db-1', name: 'orders-prod', url: 'https://orders.example.test', role: 'owner', status: 'active', login: 'ada', openUrl: 'https://orders.example.test/sso' },
    { id: 'db-2', name: 'analytics', url: 'https://analytics.example.test', role: 'member', status: 'invited', login: 'ada_l', openUrl: 'https://analytics.example.test/sso' },
  ] satisfies DatabaseSummary[],
  'GET /api/v1/devices': [
    { id: 'dev-1', browser: 'Chrome 156', os: 'Linux', ip: '127.0.0.1', firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString(), current: true, apps: ['Latchkey extension'] },
    { id: 'dev-2', browser: 'Firefox 140', os: 'macOS', ip: '203.0.113.7', firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString(), current: false, apps: [] },
  ] satisfies DeviceSummary[],
  'GET /api/v1/api-keys': [key],
  'POST /api/v1/api-keys/key-1/rotate': { key, secret: 'lk_new_secret_value' } satisfies RotateApiKeyResponse,
};
