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

export const ACTIVITY_RETENTION_DAYS = 90;
export const ACTIVITY_PAGE_DEFAULT = 20;
export const ACTIVITY_PAGE_MAX = 100;

/** One stored event as the activity service reads it: what was recorded (its account aside), with its id and time. */
export type ActivityRow = { id: number; at: number } & Required<Omit<AuditEvent, 'accountId'>>;

type Describe = (data: Record<string, unknown>) => string;
const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const key = (d: Record<string, unknown>) => (d.visibleId ? ` ${str(d.visibleId)}` : '');

/** The events shown, each with the sentence it reads as. */
export const shownEvents: Record<string, Describe> = {
  'signin.succeeded': (d) => {
    const amr = Array.isArray(d.amr) ? d.amr : [];
    return amr.includes('otp') ? 'Signed in with a code from the authenticator app.'
      : amr.includes('mfa') ? 'Signed in with a recovery code.'
      : amr.includes('hwk') || amr.includes('swk') || amr.includes('passkey') ? 'Signed in with a passkey.' : 'Signed in.';
  },
  'signin.failed': (d) => (d.method === 'passkey' ? 'Failed sign-in with a passkey.' : 'Failed sign-in: wrong password.'),
  'passkey.added': (d) => `A passkey was added${d.name ? ` ("${str(d.name)}")` : ''}.`,
  'passkey.renamed': (d) => `A passkey was renamed${d.to ? ` to "${str(d.to)}"` : ''}.`,
  'passkey.deleted': (d) => `A passkey was removed${d.name ? ` ("${str(d.name)}")` : ''}${d.reason === 'password_reset' ? ' with the password reset' : ''}.`,
  'passkey.counter_regression': (d) => `A passkey${d.name ? ` ("${str(d.name)}")` : ''} was refused: its counter went backwards, as when a passkey is copied.`,
  'signin.refused_locked': () => 'Sign-in refused: the account is locked until its password is reset.',
  '2fa.failed': () => 'A wrong two-factor code was entered.',
  '2fa.enabled': () => 'Two-factor authentication was turned on.',
  '2fa.disabled': () => 'Two-factor authentication was turned off.',
  '2fa.recovery_code_used': (d) => `A recovery code was used (${str(d.left)} left).`,
  '2fa.recovery_codes_regenerated': () => 'New recovery codes were created.',
  '2fa.trusted_devices_forgotten': () => 'Every remembered device was forgotten.',
  '2fa.trusted_device_revoked': (d) => `A remembered device was forgotten (${str(d.device) || 'unknown device'}).`,
  'reauth.failed': () => 'A wrong password was entered to confirm a sensitive action.',
  'password.changed': () => 'The password was changed.',
  'password.reset_requested': () => 'A password reset link was requested.',
  'password.reset': () => 'The password was reset from a mailed link.',
  'email.change_requested': (d) => `A change of the account email${d.email ? ` to ${str(d.email)}` : ''} was requested.`,
  'email.changed': (d) => `The account email was changed${d.to ? ` to ${str(d.to)}` : ''}.`,
  'email.verified': () => 'The account email was confirmed.',
  'account.created': () => 'The account was created.',
  'account.created_by_operator': () => 'The account was created by support.',
  'account.details_changed': () => 'Name, language or time zone changed.',
  'account.locked_down': (d) => `The account was locked down${d.via === 'mail' ? ' from the link in a sign-in mail' : ''}: every device was signed out, every API key revoked and sign-in refused until the password is reset.`,
  'account.lockdown_lifted': () => 'The lockdown ended with a password reset.',
  'data.exported': () => 'A copy of the account data was downloaded.',
  'sessions.ended_others': (d) => `Every other device was signed out (${str(d.sessions)}).`,
  'sessions.ended_all': (d) => `Every device was signed out (${str(d.sessions)}).`,
  'session.ended': () => 'A device was signed out.',
  'app.signed_out': (d) => `Signed out of ${str(d.name) || 'an app'}: its access was revoked.`,
  'developer_mode.enabled': () => 'Developer mode was turned on.',
  'developer_mode.disabled': (d) => `Developer mode was turned off (${str(d.revokedKeys)} API key(s) revoked).`,
  'api_key.created': (d) => `API key${key(d)} was created (${str(d.scope)}).`,
  'api_key.rotated': (d) => `API key${key(d)} got a new secret.`,
  'api_key.revoked': (d) => `API key${key(d)} was revoked.`,
  'api_keys.revoked_all': (d) => `Every API key was revoked (${str(d.count)}).`,
  'api_key.new_ip': (d) => `API key${key(d)} was used from a new IP address.`,
  'database.created': (d) => `Database ${str(d.database)} was created.`,
  'database.deleted': (d) => `Database ${str(d.database)} was deleted.`,
  'database.ownership_transferred': (d) => `Ownership of database ${str(d.database)} was transferred.`,
  'database.invitation_accepted': (d) => `Joined database ${str(d.database)}.`,
  'database.invitation_declined': (d) => `Declined the invitation to database ${str(d.database)}.`,
  'database.left': (d) => `Left database ${str(d.database)}.`,
  'database.member_removed': (d) => `Removed from database ${str(d.database)}.`,
  'membership.login_changed': (d) => `The sign-in login on database ${str(d.database)} was changed from ${str(d.old)} to ${str(d.new)}.`,
};

export function isShownEvent(event: string): boolean {
  return event in shownEvents || event.startsWith('passkey.');
}

/** The sentence of an event, with who did it when it was not the person, and the reason support gave. */
export function describeEvent(row: ActivityRow, accountId: string): string {
  const base = shownEvents[row.event]?.(row.data)
    ?? (row.event.startsWith('passkey.') ? `Passkey: ${row.event.slice('passkey.'.length).replace(/_/g, ' ')}.` : row.event);
  const by = row.actor === 'operator' ? ' By support.'
    : row.actor.startsWith('client:') ? ' By the database.'
    : row.actor !== accountId && row.actor !== 'anonymous' ? ' By a database owner.' : '';
  const reason = typeof row.data.reason === 'string' && row.data.reason ? ` Reason given: ${row.data.reason}` : '';
  return `${base}${by}${reason}`;
}

export type { ActivityEntry };
