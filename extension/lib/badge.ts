/** The toolbar badge as a pure function of the last security status. */
import type { SecurityStatus } from '../../shared/account-api.ts';
import type { Badge } from './browser-api.ts';

export const BADGE_RED = '#c62828';
export const BADGE_AMBER = '#f59e0b';

export function computeBadge(status: SecurityStatus | null, signedIn: boolean): Badge {
  if (!signedIn) return { text: '', color: BADGE_RED, title: 'Latchkey: signed out' };
  if (!status) return { text: '', color: BADGE_RED, title: 'Latchkey' };
  if (!status.twoFactorEnabled) return { text: '!', color: BADGE_RED, title: 'Latchkey: two-factor authentication is off' };
  const expiring = status.apiKeys.expiringWithin7Days;
  if (expiring > 0) {
    return { text: String(expiring), color: BADGE_AMBER, title: `Latchkey: ${expiring} API key${expiring === 1 ? '' : 's'} expire within 7 days` };
  }
  return { text: '', color: BADGE_RED, title: 'Latchkey: all good' };
}
