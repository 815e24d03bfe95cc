/**
 * One summary of an account's security, for the Connection & Security page and the extension's
 * account API (`SecurityStatus` in shared/account-api.ts). API key numbers come from the API keys
 * module through `apiKeys` (passed by the composition root), so this file does not know its tables.
 */
import type { Recommendation, SecurityStatus } from '../../../shared/account-api.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { nowSeconds } from '../clock.ts';
import { translator, type Translate } from '../i18n/translator.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { SessionService } from './session-service.ts';
import type { TwoFactorService } from './two-factor-service.ts';

type Counts = Pick<SecurityStatus, 'recoveryCodesLeft' | 'signedInDevices'> & { apiKeys: { expiringWithin7Days: number } };

/**
 * The sentence of a recommendation in `t`'s language. The status keeps it in English (the extension's
 * account API reads `message`); the portal page words it again in the request's language.
 */
export function recommendationText(t: Translate, code: Recommendation['code'], s: Counts): string {
  switch (code) {
    case 'verify_email': return t('Confirm your email address so you can recover your account.');
    case 'add_passkey': return t('Add a passkey: sign in with your fingerprint, face or screen lock instead of a password.');
    case 'enable_2fa': return t('Turn on two-factor authentication.');
    case 'regenerate_recovery_codes': return t('Only {{count}} recovery code(s) left: create new ones.', { count: s.recoveryCodesLeft });
    case 'rotate_expiring_key': return t('{{count}} API key(s) expire within 7 days.', { count: s.apiKeys.expiringWithin7Days });
    case 'review_devices': return t('You are signed in on {{devices}} devices: sign out the ones you do not use.', { devices: s.signedInDevices });
  }
}

const english = translator('en');

export type ApiKeyStatusProvider = (accountId: string) => Promise<{ total: number; expiringWithin7Days: number }>;
export type PasskeyCountProvider = (accountId: string) => Promise<number>;

export function securityStatusService(deps: { accounts: AccountRepository; twoFactor: TwoFactorService; sessions: SessionService; audit: AuditRepository; apiKeys: ApiKeyStatusProvider; passkeys: PasskeyCountProvider }) {
  return {
    async securityStatus(accountId: string): Promise<SecurityStatus | undefined> {
      const account = await deps.accounts.findById(accountId);
      if (!account) return undefined;
      const now = nowSeconds();
      const passwordChangedAt = (await deps.accounts.findCredential(accountId, 'password'))?.created_at ?? account.createdAt;
      const twoFactorEnabled = await deps.twoFactor.isEnabled(accountId);
      const recoveryCodesLeft = twoFactorEnabled ? await deps.twoFactor.recoveryCodesLeft(accountId) : 0;
      const apiKeys = await deps.apiKeys(accountId);
      const passkeys = await deps.passkeys(accountId);
      const signedInDevices = await deps.sessions.countSessions(accountId);
      const lastSignIn = await deps.audit.lastAt(accountId, 'signin.succeeded');
      const passwordAgeDays = Math.max(0, Math.floor((now - passwordChangedAt) / 86400));
      const counts: Counts = { recoveryCodesLeft, signedInDevices, apiKeys };
      const advise = (code: Recommendation['code'], href: string) => ({ code, message: recommendationText(english, code, counts), href });
      const recommendations: Recommendation[] = [];
      if (!account.emailVerifiedAt) recommendations.push(advise('verify_email', '/my/account'));
      if (passkeys === 0) recommendations.push(advise('add_passkey', '/my/security#passkeys'));
      if (!twoFactorEnabled) recommendations.push(advise('enable_2fa', '/my/security#two-factor'));
      if (twoFactorEnabled && recoveryCodesLeft <= 3) recommendations.push(advise('regenerate_recovery_codes', '/my/security#two-factor'));
      if (apiKeys.expiringWithin7Days > 0) recommendations.push(advise('rotate_expiring_key', '/my/security#api-keys'));
      if (signedInDevices > 5) recommendations.push(advise('review_devices', '/my/security#devices'));
      // No advice to change a password for its age alone: NIST SP 800-63B (5.1.1.2) advises against
      // periodic changes; the age is shown as a fact, and a change is asked for only on compromise.
      return {
        accountId,
        email: account.email,
        name: account.name,
        emailVerified: Boolean(account.emailVerifiedAt),
        twoFactorEnabled,
        recoveryCodesLeft,
        passwordChangedAt: new Date(passwordChangedAt * 1000).toISOString(),
        passwordAgeDays,
        signedInDevices,
        lastSignInAt: lastSignIn ? new Date(lastSignIn * 1000).toISOString() : null,
        apiKeys,
        passkeys,
        recommendations,
      };
    },
  };
}

export type SecurityStatusService = ReturnType<typeof securityStatusService>;
