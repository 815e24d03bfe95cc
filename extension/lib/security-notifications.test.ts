import { describe, expect, it } from 'vitest';
import type { ApiKeySummary, DeviceSummary } from '../../shared/account-api.ts';
import { portalPathOfNotification, securityNotifications, type NotificationInput } from './security-notifications.ts';
import { securityStatus } from './status-fixture.test-helper.ts';
import { DEFAULT_NOTIFICATION_PREFS } from './storage-items.ts';

const device = (id: string, current = false): DeviceSummary => ({ id, browser: 'Firefox 153', os: 'Linux', ip: null, firstSeenAt: '', lastSeenAt: '', current, apps: [] });
const key = (id: string): ApiKeySummary => ({ id, description: `key ${id}`, visibleId: `lk_${id}`, scope: 'read', databases: null, createdAt: '', expiresAt: '2026-06-03T00:00:00Z', lastUsedAt: null, lastUsedIp: null });

function input(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    prefs: DEFAULT_NOTIFICATION_PREFS,
    cursor: { warnedKeyIds: [], twoFactorWasOn: true },
    knownDeviceIds: ['me'],
    status: securityStatus(),
    devices: [device('me', true)],
    expiringKeys: null,
    now: 1000,
    ...overrides,
  };
}

/** Runs one refresh after another, feeding each outcome's cursor into the next. */
function run(steps: Partial<NotificationInput>[]): string[][] {
  let state = input();
  return steps.map((step) => {
    const outcome = securityNotifications({ ...state, ...step });
    state = { ...state, ...step, cursor: outcome.cursor, knownDeviceIds: outcome.knownDeviceIds };
    return outcome.notifications.map((n) => n.id);
  });
}

describe('securityNotifications', () => {
  it('notifies a new device, an expiring key and 2FA turned off, each once', () => {
    expect(run([
      { devices: [device('me', true), device('phone')] },
      { devices: [device('me', true), device('phone')] },
      { expiringKeys: [key('k1')] },
      { expiringKeys: [key('k1')] },
      { status: securityStatus({ twoFactorEnabled: false }) },
      { status: securityStatus({ twoFactorEnabled: false }) },
    ])).toEqual([['new-device-phone'], [], ['key-expiring-k1'], [], ['two-factor-off-1000'], []]);
  });

  it('says nothing about 2FA or devices on the first refresh after sign-in', () => {
    const outcome = securityNotifications(input({ knownDeviceIds: null, cursor: { warnedKeyIds: [], twoFactorWasOn: null }, status: securityStatus({ twoFactorEnabled: false }), devices: [device('me', true), device('x')] }));
    expect(outcome.notifications).toEqual([]);
    expect(outcome.cursor.twoFactorWasOn).toBe(false);
  });

  it('respects each switch and still advances the cursor, so turning one on again replays nothing', () => {
    const off = { newDevice: false, expiringKey: false, twoFactorOff: false };
    expect(run([
      { prefs: off, devices: [device('me', true), device('phone')], expiringKeys: [key('k1')], status: securityStatus({ twoFactorEnabled: false }) },
      { prefs: DEFAULT_NOTIFICATION_PREFS },
    ])).toEqual([[], []]);
  });

  it('warns again about a key that stopped expiring and expires again', () => {
    expect(run([{ expiringKeys: [key('k1')] }, { expiringKeys: null }, { expiringKeys: [key('k1')] }])).toEqual([['key-expiring-k1'], [], ['key-expiring-k1']]);
  });

  it('maps each notification to its portal page', () => {
    expect(portalPathOfNotification('new-device-abc')).toBe('/my/security/activity');
    expect(portalPathOfNotification('key-expiring-k1')).toBe('/my/security/api-keys#your-keys');
    expect(portalPathOfNotification('two-factor-off-1')).toBe('/my/security#two-factor');
    expect(portalPathOfNotification('other')).toBeNull();
  });
});
