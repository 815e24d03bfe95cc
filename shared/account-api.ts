/**
 * The account API contract: JSON served by the IdP under `/api/v1/` and read by the browser extension
 * (and by scripts holding an API key). Both sides import these types; change them together.
 *
 * Authentication: `Authorization: DPoP <access token>` with a `DPoP` proof header (the extension), or
 * `Authorization: Bearer <API key>` (scripts). The access token's audience is `${issuer}/api` (resource
 * indicator `ACCOUNT_API_RESOURCE`).
 *
 * List routes answer with bare JSON arrays (`DatabaseSummary[]`, `DeviceSummary[]`, `ApiKeySummary[]`),
 * except the activity, which is paged: `GET /activity?cursor=&limit=` answers `ActivityPage`; pass its
 * `nextCursor` back as `cursor` for the next (older) page until it is null. `limit` is 1..100 (default 20);
 * a malformed cursor or limit is a 400.
 * `POST /lockdown` takes `{}` and only an access token (an API key gets 403): "this wasn't me".
 * `POST /devices/logout-others` takes the body `{}` and only an access token (an API key gets 403).
 *
 * Errors are always `ApiError` with a 4xx/5xx status. A sensitive action whose sign-in is older than
 * `REAUTH_MAX_AGE_SECONDS` answers 401 with
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=600` (RFC 9470).
 */

export const ACCOUNT_API_PREFIX = '/api/v1';
export const ACCOUNT_API_RESOURCE_PATH = '/api';
export const ACCOUNT_API_SCOPE = 'account';
export const EXTENSION_CLIENT_ID = 'latchkey-extension';
export const REAUTH_MAX_AGE_SECONDS = 600;

export interface ApiError {
  error: string;
  message: string;
}

export interface Recommendation {
  code: 'enable_2fa' | 'regenerate_recovery_codes' | 'verify_email' | 'rotate_expiring_key' | 'review_devices';
  message: string;
  /** Absolute path on the IdP portal where the person can act, e.g. `/my/security#two-factor`. */
  href: string;
}

export interface SecurityStatus {
  accountId: string;
  email: string;
  name: string;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  recoveryCodesLeft: number;
  /** ISO timestamp of the last password change. */
  passwordChangedAt: string;
  passwordAgeDays: number;
  signedInDevices: number;
  lastSignInAt: string | null;
  apiKeys: { total: number; expiringWithin7Days: number };
  recommendations: Recommendation[];
}

export interface DatabaseSummary {
  id: string;
  name: string;
  url: string;
  role: 'owner' | 'member';
  status: 'invited' | 'active';
  /** The sign-in login of this account on that database; never changed by an account email change. */
  login: string;
  /** URL that starts single sign-on into that database. */
  openUrl: string;
}

/** A signed-in device: one live IdP session (a browser), newest activity first. */
export interface DeviceSummary {
  /** The IdP session's uid; account API access tokens name theirs in the `sid` claim. */
  id: string;
  browser: string;
  os: string;
  ip: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The session the caller's access token was signed in through (never true for an API key). */
  current: boolean;
  /** Applications holding tokens from this session (database names, the extension). */
  apps: string[];
}

/** A device remembered for two-factor authentication ("remember this device"): it skips the code until it expires. */
export interface TrustedDeviceSummary {
  id: string;
  browser: string;
  os: string;
  /** Where it was remembered from. */
  ip: string | null;
  addedAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

export interface ApiKeySummary {
  id: string;
  description: string;
  /** Short visible identifier, e.g. `lk_3f9a2c`. */
  visibleId: string;
  scope: 'read' | 'read-write';
  databases: string[] | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface RotateApiKeyRequest {
  /** 0, 3600 or 86400: how long the old secret keeps working. */
  graceSeconds: 0 | 3600 | 86400;
}

export interface RotateApiKeyResponse {
  key: ApiKeySummary;
  /** The new secret, shown once. */
  secret: string;
}

export interface LogoutOthersResponse {
  /** How many other sessions were ended. */
  loggedOut: number;
}

/** One security event of the account ("what happened to my account"), newest first in a page. */
export interface ActivityEntry {
  /** Opaque; stable for the entry. */
  id: string;
  /** ISO timestamp. */
  at: string;
  /** The event, e.g. `signin.succeeded`, `signin.failed`, `password.changed`, `api_key.new_ip`, `passkey.added`. */
  kind: string;
  ip: string | null;
  /** Readable browser and OS, e.g. "Chrome 130 on Linux"; null when the event had no browser. */
  device: string | null;
  /** The database or app it went through, by name; null for the portal itself or none. */
  app: string | null;
  /** What happened, as a sentence (with who did it when it was support, and the reason given). */
  detail: string;
}

export interface ActivityPage {
  entries: ActivityEntry[];
  /** Cursor of the next, older page; null on the last page. */
  nextCursor: string | null;
}

export interface LockdownResponse {
  /** Sessions ended (the caller's included) and API keys revoked. */
  sessionsEnded: number;
  apiKeysRevoked: number;
}

/** Routes, relative to ACCOUNT_API_PREFIX. */
export const accountApiRoutes = {
  status: { method: 'GET', path: '/status' },
  databases: { method: 'GET', path: '/databases' },
  devices: { method: 'GET', path: '/devices' },
  logoutOthers: { method: 'POST', path: '/devices/logout-others' },
  apiKeys: { method: 'GET', path: '/api-keys' },
  rotateApiKey: { method: 'POST', path: '/api-keys/:id/rotate' },
  revokeApiKey: { method: 'DELETE', path: '/api-keys/:id' },
  activity: { method: 'GET', path: '/activity' },
  lockdown: { method: 'POST', path: '/lockdown' },
} as const;
