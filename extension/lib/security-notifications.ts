/**
 * Which browser notifications one status refresh raises, as a pure function of what was seen before
 * (the cursor) and what is seen now. Each event is notified once: a new device by its id, an expiring
 * key by its id (again only after it was rotated and expires again), 2FA turned off on the transition
 * from on to off. Nothing is notified on the first refresh after sign-in, except keys that expire soon.
 * Each kind can be turned off in the options page; the cursor advances either way, so turning one back
 * on never replays old events.
 */
import type { ApiKeySummary, DeviceSummary, SecurityStatus } from '../../shared/account-api.ts';
import { describeDevice, detectNewDevices } from './new-devices.ts';
import type { NotificationCursor, NotificationPrefs } from './storage-items.ts';
import { formatDate, t } from './i18n/translator.ts';

export interface PendingNotification {
  /** `new-device-<id>`, `key-expiring-<id>` or `two-factor-off-<time>`; the prefix picks the portal page on click. */
  id: string;
  title: string;
  message: string;
}

export interface NotificationInput {
  prefs: NotificationPrefs;
  cursor: NotificationCursor;
  knownDeviceIds: string[] | null;
  status: SecurityStatus;
  devices: DeviceSummary[];
  /** Keys expiring within 7 days, or null when they were not fetched (none expiring). */
  expiringKeys: ApiKeySummary[] | null;
  now: number;
}

export interface NotificationOutcome {
  notifications: PendingNotification[];
  cursor: NotificationCursor;
  knownDeviceIds: string[];
}

export const NOTIFICATION_PORTAL_PATHS: { prefix: string; path: string }[] = [
  { prefix: 'new-device-', path: '/my/security/activity' },
  { prefix: 'key-expiring-', path: '/my/security/api-keys#your-keys' },
  { prefix: 'two-factor-off-', path: '/my/security#two-factor' },
];

export function portalPathOfNotification(id: string): string | null {
  return NOTIFICATION_PORTAL_PATHS.find((entry) => id.startsWith(entry.prefix))?.path ?? null;
}

export function securityNotifications(input: NotificationInput): NotificationOutcome {
  const notifications: PendingNotification[] = [];

  if (input.prefs.newDevice) {
    for (const device of detectNewDevices(input.knownDeviceIds, input.devices)) {
      notifications.push({ id: `new-device-${device.id}`, title: t('New sign-in to your Latchkey account'), message: t('{{device}}. Not you? Click to lock your account down.', { device: describeDevice(device) }) });
    }
  }

  const expiring = input.expiringKeys ?? [];
  if (input.prefs.expiringKey) {
    for (const key of expiring.filter((k) => !input.cursor.warnedKeyIds.includes(k.id))) {
      const name = key.description || key.visibleId;
      notifications.push({ id: `key-expiring-${key.id}`, title: t('A Latchkey API key expires soon'), message: t('"{{name}}" expires on {{date}}. Rotate it before scripts using it stop working.', { name, date: formatDate(key.expiresAt) }) });
    }
  }

  const { twoFactorWasOn } = input.cursor;
  if (input.prefs.twoFactorOff && twoFactorWasOn === true && !input.status.twoFactorEnabled) {
    notifications.push({ id: `two-factor-off-${input.now}`, title: t('Two-factor authentication was turned off'), message: t('Your Latchkey account is protected by its password alone. If you did not do this, click to turn it back on.') });
  }

  return {
    notifications,
    // Keys no longer expiring (rotated, revoked) leave the cursor, so their next expiry is notified again.
    cursor: { warnedKeyIds: expiring.map((k) => k.id), twoFactorWasOn: input.status.twoFactorEnabled },
    knownDeviceIds: input.devices.map((device) => device.id),
  };
}
