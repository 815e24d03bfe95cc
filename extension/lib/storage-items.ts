/**
 * Every storage item the extension keeps, declared once with its type and fallback.
 *
 * Secrets: the access token lives in `session` storage (memory only, gone when the browser closes);
 * the refresh token in `local` so sign-in survives restarts. Both are DPoP-bound, so they are useless
 * without the non-extractable key in IndexedDB. No content script exists that could read either.
 */
import type { DeviceSummary, SecurityStatus } from '../../shared/account-api.ts';
import { defineStorageItem } from './browser-api.ts';

export const DEFAULT_IDP_URL = 'http://localhost:3000';

export interface AccessTokenRecord {
  issuer: string;
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface RefreshGrantRecord {
  issuer: string;
  refreshToken: string;
  subject: string;
  authTime: number | null;
  scope: string;
}

export interface CachedStatus {
  issuer: string;
  status: SecurityStatus;
  /** The devices list fetched with it (new-device check and recent activity); absent in caches from older versions. */
  devices?: DeviceSummary[];
  /** Epoch milliseconds of the last successful refresh. */
  fetchedAt: number;
}

export const idpUrlItem = defineStorageItem<string>('local', 'idpUrl', DEFAULT_IDP_URL);
export const accessTokenItem = defineStorageItem<AccessTokenRecord | null>('session', 'accessToken', null);
export const refreshGrantItem = defineStorageItem<RefreshGrantRecord | null>('local', 'refreshGrant', null);
export const cachedStatusItem = defineStorageItem<CachedStatus | null>('local', 'cachedStatus', null);
/** Device ids seen at the last refresh; null until the first one, so the first sync never notifies. */
export const knownDeviceIdsItem = defineStorageItem<string[] | null>('local', 'knownDeviceIds', null);

/** Which browser notifications the person wants (options page); all on until turned off. */
export interface NotificationPrefs {
  newDevice: boolean;
  expiringKey: boolean;
  twoFactorOff: boolean;
}
export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = { newDevice: true, expiringKey: true, twoFactorOff: true };
export const notificationPrefsItem = defineStorageItem<NotificationPrefs>('local', 'notificationPrefs', DEFAULT_NOTIFICATION_PREFS);

/**
 * What the last refresh already notified about, so a notification never repeats: the ids of keys
 * warned about (until they are rotated or gone) and whether 2FA was on at the previous refresh
 * (null before the first, so installing never notifies).
 */
export interface NotificationCursor {
  warnedKeyIds: string[];
  twoFactorWasOn: boolean | null;
}
export const notificationCursorItem = defineStorageItem<NotificationCursor>('local', 'notificationCursor', { warnedKeyIds: [], twoFactorWasOn: null });
