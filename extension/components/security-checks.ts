/** Turns a SecurityStatus into display rows, pairing each with its recommendation (if the IdP gave one). */
import type { Recommendation, SecurityStatus } from '../../shared/account-api.ts';

export interface SecurityCheck {
  id: string;
  label: string;
  value: string;
  ok: boolean;
  advice: Recommendation | null;
}

export const LOW_RECOVERY_CODES = 2;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function buildSecurityChecks(status: SecurityStatus): SecurityCheck[] {
  const advice = (code: Recommendation['code']) => status.recommendations.find((r) => r.code === code) ?? null;
  const rows: Omit<SecurityCheck, 'ok'>[] = [
    { id: '2fa', label: 'Two-factor authentication', value: status.twoFactorEnabled ? 'On' : 'Off', advice: advice('enable_2fa') },
    { id: 'password', label: 'Password age', value: `Changed ${plural(status.passwordAgeDays, 'day')} ago`, advice: null },
    { id: 'recovery', label: 'Recovery codes', value: `${plural(status.recoveryCodesLeft, 'code')} left`, advice: advice('regenerate_recovery_codes') },
    { id: 'devices', label: 'Signed-in devices', value: plural(status.signedInDevices, 'device'), advice: advice('review_devices') },
    { id: 'keys', label: 'API keys expiring soon', value: `${status.apiKeys.expiringWithin7Days} of ${status.apiKeys.total} within 7 days`, advice: advice('rotate_expiring_key') },
    { id: 'email', label: 'Email address', value: status.emailVerified ? 'Verified' : 'Not verified', advice: advice('verify_email') },
  ];
  // Facts that need attention whatever the IdP recommends; password age and device count are its call.
  const failing: Record<string, boolean> = {
    '2fa': !status.twoFactorEnabled,
    recovery: status.twoFactorEnabled && status.recoveryCodesLeft <= LOW_RECOVERY_CODES,
    keys: status.apiKeys.expiringWithin7Days > 0,
    email: !status.emailVerified,
  };
  return rows.map((row) => ({ ...row, ok: !failing[row.id] && row.advice === null }));
}
