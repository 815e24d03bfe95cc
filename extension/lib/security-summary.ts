/**
 * The popup's first answer, "am I safe, and what should I do?": one headline ("2 things to do") and an
 * ordered checklist, in the manner of Google's Security Checkup and 1Password's Watchtower.
 *
 * Data-driven: an item appears only when the account status says it applies. Recovery codes are not
 * listed while 2FA is off (they would look "passed" when they do not exist), API keys only when there
 * are any, and the passkey item only once the IdP reports `passkeys` (see `StatusExtras`). Every
 * item says why it matters in one sentence and links to the exact portal section. An IdP recommendation
 * with a code this version does not know still shows, as its own to-do item with the IdP's words.
 */
import type { DeviceSummary, Recommendation, SecurityStatus } from '../../shared/account-api.ts';
import { t } from './i18n/translator.ts';

/**
 * Optional status fields the extension reads when the IdP starts sending them (not in
 * `SecurityStatus` yet): `passkeys`, the number of passkeys registered on the account.
 */
export interface StatusExtras {
  passkeys?: number;
}

export type ChecklistId = 'two-factor' | 'email' | 'new-devices' | 'recovery-codes' | 'passkey' | 'api-keys' | `idp-${string}`;

export interface ChecklistItem {
  id: ChecklistId;
  state: 'todo' | 'done';
  /** What to do (todo) or what is fine (done), as a sentence. */
  title: string;
  /** Why it matters, one sentence; shown for to-do items. */
  why: string;
  /** Path of the portal section where it is done, e.g. `/my/security#two-factor`. */
  href: string;
  /** The link's words, e.g. "Turn it on". */
  action: string;
}

export interface SecuritySummary {
  todo: number;
  headline: string;
  items: ChecklistItem[];
}

/** Fewer than this many recovery codes left is a to-do (the IdP recommends at 3 or fewer). */
export const LOW_RECOVERY_CODES = 3;
/** A device first seen within this window counts as a recent sign-in on a new device. */
export const NEW_DEVICE_WINDOW_MS = 7 * 24 * 3600 * 1000;

export const PORTAL = {
  twoFactor: '/my/security#two-factor',
  passkeys: '/my/security#passkeys',
  devices: '/my/security#devices',
  email: '/my/account#email',
  apiKeys: '/my/security/api-keys#your-keys',
  /** The lockdown page ("This wasn't me"). */
  activity: '/my/security/activity',
} as const;

/** Devices other than this one that first signed in within the window, newest first. */
export function newDevices(devices: readonly DeviceSummary[], now: number): DeviceSummary[] {
  return devices
    .filter((device) => !device.current && now - Date.parse(device.firstSeenAt) < NEW_DEVICE_WINDOW_MS)
    .sort((a, b) => Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt));
}

export function buildSecuritySummary(status: SecurityStatus & StatusExtras, devices: readonly DeviceSummary[] | null, now: number): SecuritySummary {
  const recommended = (code: Recommendation['code']) => status.recommendations.find((r) => r.code === code);
  const hrefFor = (code: Recommendation['code'], fallback: string) => recommended(code)?.href ?? fallback;
  const items: ChecklistItem[] = [];

  items.push(
    status.twoFactorEnabled
      ? { id: 'two-factor', state: 'done', title: t('Two-factor authentication is on.'), why: '', href: PORTAL.twoFactor, action: t('Manage') }
      : {
          id: 'two-factor',
          state: 'todo',
          title: t('Turn on two-factor authentication.'),
          why: t('With a second factor, a stolen or guessed password alone cannot open your account.'),
          href: hrefFor('enable_2fa', PORTAL.twoFactor),
          action: t('Turn it on'),
        },
  );

  items.push(
    status.emailVerified
      ? { id: 'email', state: 'done', title: t('Your email address is confirmed.'), why: '', href: PORTAL.email, action: t('Manage') }
      : {
          id: 'email',
          state: 'todo',
          title: t('Confirm your email address.'),
          why: t('Security alerts and password resets go there; an unconfirmed address may not be yours.'),
          href: hrefFor('verify_email', PORTAL.email),
          action: t('Confirm it'),
        },
  );

  if (devices) {
    const fresh = newDevices(devices, now);
    items.push(
      fresh.length === 0
        ? { id: 'new-devices', state: 'done', title: t('No sign-ins on new devices this week.'), why: '', href: PORTAL.devices, action: t('See devices') }
        : {
            id: 'new-devices',
            state: 'todo',
            title: t('Check {{count}} sign-ins on a new device this week.', { count: fresh.length }),
            why: t('A sign-in you do not recognise means someone else may know your password.'),
            href: hrefFor('review_devices', PORTAL.devices),
            action: t('Review devices'),
          },
    );
  }

  // Recovery codes exist only with 2FA on; listing them otherwise would look like a passed check.
  if (status.twoFactorEnabled) {
    const low = status.recoveryCodesLeft <= LOW_RECOVERY_CODES;
    items.push(
      low
        ? {
            id: 'recovery-codes',
            state: 'todo',
            title: status.recoveryCodesLeft === 0 ? t('Create recovery codes: none are left.') : t('Create new recovery codes: only {{left}} left.', { left: status.recoveryCodesLeft }),
            why: t('If you lose your authenticator, a recovery code is the only way back into your account.'),
            href: hrefFor('regenerate_recovery_codes', PORTAL.twoFactor),
            action: t('Create new codes'),
          }
        : { id: 'recovery-codes', state: 'done', title: t('{{count}} recovery codes left.', { count: status.recoveryCodesLeft }), why: '', href: PORTAL.twoFactor, action: t('Manage') },
    );
  }

  // Only once the IdP reports passkeys: an IdP without them must not show a to-do nobody can do.
  if (typeof status.passkeys === 'number') {
    items.push(
      status.passkeys > 0
        ? { id: 'passkey', state: 'done', title: t('{{count}} passkeys set up.', { count: status.passkeys }), why: '', href: PORTAL.passkeys, action: t('Manage') }
        : {
            id: 'passkey',
            state: 'todo',
            title: t('Add a passkey.'),
            why: t('A passkey cannot be phished or reused on another site, unlike a password.'),
            href: PORTAL.passkeys,
            action: t('Add one'),
          },
    );
  }

  if (status.apiKeys.total > 0) {
    const expiring = status.apiKeys.expiringWithin7Days;
    items.push(
      expiring > 0
        ? {
            id: 'api-keys',
            state: 'todo',
            title: t('Rotate {{count}} API keys expiring within 7 days.', { count: expiring }),
            why: t('Scripts and deployments using an expired key stop working without warning.'),
            href: hrefFor('rotate_expiring_key', PORTAL.apiKeys),
            action: t('See keys'),
          }
        : { id: 'api-keys', state: 'done', title: t('No API key expires this week.'), why: '', href: PORTAL.apiKeys, action: t('See keys') },
    );
  }

  const known = new Set<Recommendation['code']>(['enable_2fa', 'verify_email', 'review_devices', 'regenerate_recovery_codes', 'rotate_expiring_key']);
  for (const extra of status.recommendations.filter((r) => !known.has(r.code))) {
    items.push({ id: `idp-${extra.code}`, state: 'todo', title: extra.message, why: t('Your Latchkey server recommends it.'), href: extra.href, action: t('Open') });
  }

  // To-do items first, each group in the order above (most protective first).
  const ordered = [...items.filter((item) => item.state === 'todo'), ...items.filter((item) => item.state === 'done')];
  const todo = ordered.filter((item) => item.state === 'todo').length;
  return { todo, headline: todo === 0 ? t('Your account is in good shape') : t('{{count}} things to do', { count: todo }), items: ordered };
}
