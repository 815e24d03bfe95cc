/**
 * Security activity: which security-log events a person sees, and how each reads. The log (audit_log)
 * holds more (operator bookkeeping, registration tokens); only the events listed here are shown, so a
 * new event stays internal until someone decides how it reads. Passkey events (`passkey.*`) are shown
 * by prefix, so that feature can add events without touching this table.
 *
 * Invariant: nothing here reads a secret; audit data never holds one (visible key ids, database names,
 * logins and reasons only).
 */
import type { ActivityEntry } from '../../../shared/account-api.ts';
import type { AuditEvent } from '../security/audit-repository.ts';
import { translator, type Translate } from '../i18n/translator.ts';
import { deviceLabel } from '../security/user-agent.ts';

export const ACTIVITY_RETENTION_DAYS = 90;
export const ACTIVITY_PAGE_DEFAULT = 20;
export const ACTIVITY_PAGE_MAX = 100;

/** One stored event as the activity service reads it: what was recorded (its account aside), with its id and time. */
export type ActivityRow = { id: number; at: number } & Required<Omit<AuditEvent, 'accountId'>>;

type Describe = (data: Record<string, unknown>, t: Translate) => string;
const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const englishT = translator('en');

/** The events shown, each with the sentence it reads as (one catalog sentence per form it takes). */
export const shownEvents: Record<string, Describe> = {
  'signin.succeeded': (d, t) => {
    const amr = Array.isArray(d.amr) ? d.amr : [];
    return amr.includes('otp') ? t('Signed in with a code from the authenticator app.')
      : amr.includes('mfa') ? t('Signed in with a recovery code.')
      : amr.includes('hwk') || amr.includes('swk') || amr.includes('passkey') ? t('Signed in with a passkey.') : t('Signed in.');
  },
  'signin.failed': (d, t) => (d.method === 'passkey' ? t('Failed sign-in with a passkey.') : t('Failed sign-in: wrong password.')),
  'passkey.added': (d, t) => (d.name ? t('A passkey was added ("{{name}}").', { name: str(d.name) }) : t('A passkey was added.')),
  'passkey.renamed': (d, t) => (d.to ? t('A passkey was renamed to "{{name}}".', { name: str(d.to) }) : t('A passkey was renamed.')),
  'passkey.deleted': (d, t) => {
    const withReset = d.reason === 'password_reset';
    if (d.name) {
      const name = str(d.name);
      return withReset ? t('A passkey was removed ("{{name}}") with the password reset.', { name }) : t('A passkey was removed ("{{name}}").', { name });
    }
    return withReset ? t('A passkey was removed with the password reset.') : t('A passkey was removed.');
  },
  'passkey.counter_regression': (d, t) => (d.name
    ? t('A passkey ("{{name}}") was refused: its counter went backwards, as when a passkey is copied.', { name: str(d.name) })
    : t('A passkey was refused: its counter went backwards, as when a passkey is copied.')),
  'signin.refused_locked': (_, t) => t('Sign-in refused: the account is locked until its password is reset.'),
  '2fa.failed': (_, t) => t('A wrong two-factor code was entered.'),
  '2fa.enabled': (_, t) => t('Two-factor authentication was turned on.'),
  '2fa.disabled': (_, t) => t('Two-factor authentication was turned off.'),
  '2fa.recovery_code_used': (d, t) => t('A recovery code was used ({{left}} left).', { left: str(d.left) }),
  '2fa.recovery_codes_regenerated': (_, t) => t('New recovery codes were created.'),
  '2fa.trusted_devices_forgotten': (_, t) => t('Every remembered device was forgotten.'),
  // The User-Agent is stored and named in the reader's language; entries from before kept an English `device`.
  '2fa.trusted_device_revoked': (d, t) => t('A remembered device was forgotten ({{device}}).', { device: typeof d.userAgent === 'string' ? deviceLabel(d.userAgent, t) : str(d.device) || t('unknown device') }),
  'reauth.failed': (_, t) => t('A wrong password was entered to confirm a sensitive action.'),
  'password.changed': (_, t) => t('The password was changed.'),
  'password.reset_requested': (_, t) => t('A password reset link was requested.'),
  'password.reset': (_, t) => t('The password was reset from a mailed link.'),
  'email.change_requested': (d, t) => (d.email ? t('A change of the account email to {{email}} was requested.', { email: str(d.email) }) : t('A change of the account email was requested.')),
  'email.changed': (d, t) => (d.to ? t('The account email was changed to {{email}}.', { email: str(d.to) }) : t('The account email was changed.')),
  'email.verified': (_, t) => t('The account email was confirmed.'),
  'account.created': (_, t) => t('The account was created.'),
  'account.created_by_operator': (_, t) => t('The account was created by support.'),
  'account.details_changed': (_, t) => t('Name, language or time zone changed.'),
  'account.locked_down': (d, t) => (d.via === 'mail'
    ? t('The account was locked down from the link in a sign-in mail: every device was signed out, every API key revoked and sign-in refused until the password is reset.')
    : t('The account was locked down: every device was signed out, every API key revoked and sign-in refused until the password is reset.')),
  'account.lockdown_lifted': (_, t) => t('The lockdown ended with a password reset.'),
  'data.exported': (_, t) => t('A copy of the account data was downloaded.'),
  'sessions.ended_others': (d, t) => t('Every other device was signed out ({{sessions}}).', { sessions: str(d.sessions) }),
  'sessions.ended_all': (d, t) => t('Every device was signed out ({{sessions}}).', { sessions: str(d.sessions) }),
  'session.ended': (_, t) => t('A device was signed out.'),
  'app.signed_out': (d, t) => (str(d.name) ? t('Signed out of {{app}}: its access was revoked.', { app: str(d.name) }) : t('Signed out of an app: its access was revoked.')),
  'developer_mode.enabled': (_, t) => t('Developer mode was turned on.'),
  'developer_mode.disabled': (d, t) => t('Developer mode was turned off ({{revoked}} API key(s) revoked).', { revoked: str(d.revokedKeys) }),
  'api_key.created': (d, t) => (d.visibleId ? t('API key {{key}} was created ({{scope}}).', { key: str(d.visibleId), scope: str(d.scope) }) : t('API key was created ({{scope}}).', { scope: str(d.scope) })),
  'api_key.rotated': (d, t) => (d.visibleId ? t('API key {{key}} got a new secret.', { key: str(d.visibleId) }) : t('API key got a new secret.')),
  'api_key.revoked': (d, t) => (d.visibleId ? t('API key {{key}} was revoked.', { key: str(d.visibleId) }) : t('API key was revoked.')),
  'api_keys.revoked_all': (d, t) => t('Every API key was revoked ({{revoked}}).', { revoked: str(d.count) }),
  'api_key.new_ip': (d, t) => (d.visibleId ? t('API key {{key}} was used from a new IP address.', { key: str(d.visibleId) }) : t('API key was used from a new IP address.')),
  'database.created': (d, t) => t('Database {{database}} was created.', { database: str(d.database) }),
  'database.deleted': (d, t) => t('Database {{database}} was deleted.', { database: str(d.database) }),
  'database.ownership_transferred': (d, t) => t('Ownership of database {{database}} was transferred.', { database: str(d.database) }),
  'database.invitation_accepted': (d, t) => t('Joined database {{database}}.', { database: str(d.database) }),
  'database.invitation_declined': (d, t) => t('Declined the invitation to database {{database}}.', { database: str(d.database) }),
  'database.left': (d, t) => t('Left database {{database}}.', { database: str(d.database) }),
  'database.member_removed': (d, t) => t('Removed from database {{database}}.', { database: str(d.database) }),
  'membership.login_changed': (d, t) => t('The sign-in login on database {{database}} was changed from {{old}} to {{new}}.', { database: str(d.database), old: str(d.old), new: str(d.new) }),
};

export function isShownEvent(event: string): boolean {
  return event in shownEvents || event.startsWith('passkey.');
}

/**
 * The sentence of an event, with who did it when it was not the person, and the reason support gave,
 * in `t`'s language: English for the account API and the data export (machine-readable, unchanged),
 * the account's language on the pages.
 */
export function describeEvent(row: ActivityRow, accountId: string, t: Translate = englishT): string {
  const base = shownEvents[row.event]?.(row.data, t)
    ?? (row.event.startsWith('passkey.') ? t('Passkey: {{what}}.', { what: row.event.slice('passkey.'.length).replace(/_/g, ' ') }) : row.event);
  const by = row.actor === 'operator' ? t('By support.')
    : row.actor.startsWith('client:') ? t('By the database.')
    : row.actor !== accountId && row.actor !== 'anonymous' ? t('By a database owner.') : '';
  const reason = typeof row.data.reason === 'string' && row.data.reason ? t('Reason given: {{reason}}', { reason: row.data.reason }) : '';
  return [base, by, reason].filter(Boolean).join(' ');
}

export type { ActivityEntry };
