/**
 * One summary of an account's security, for the Connection & Security page and the extension's
 * account API (`SecurityStatus` in shared/account-api.ts). API key numbers come from the API keys
 * module through `apiKeys` (passed by the composition root), so this file does not know its tables.
 */
import type { Recommendation, SecurityStatus } from '../../../shared/account-api.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { SessionService } from './session-service.ts';
import type { TwoFactorService } from './two-factor-service.ts';

export type ApiKeyStatusProvider = (accountId: string) => Promise<{ total: number; expiringWithin7Days: number }>;

export function securityStatusService(deps: { accounts: AccountRepository; twoFactor: TwoFactorService; sessions: SessionService; audit: AuditRepository; apiKeys: ApiKeyStatusProvider }) {
  return {
    async securityStatus(accountId: string): Promise<SecurityStatus | undefined> {
      const account = await deps.accounts.findById(accountId);
      if (!account) return undefined;
      const now = nowSeconds();
      const passwordChangedAt = (await deps.accounts.findCredential(accountId, 'password'))?.created_at ?? account.createdAt;
      const twoFactorEnabled = await deps.twoFactor.isEnabled(accountId);
      const recoveryCodesLeft = twoFactorEnabled ? await deps.twoFactor.recoveryCodesLeft(accountId) : 0;
      const apiKeys = await deps.apiKeys(accountId);
      const signedInDevices = await deps.sessions.countSessions(accountId);
      const lastSignIn = await deps.audit.lastAt(accountId, 'signin.succeeded');
      const passwordAgeDays = Math.max(0, Math.floor((now - passwordChangedAt) / 86400));
      const recommendations: Recommendation[] = [];
      if (!account.emailVerifiedAt) recommendations.push({ code: 'verify_email', message: 'Confirm your email address so you can recover your account.', href: '/my/account' });
      if (!twoFactorEnabled) recommendations.push({ code: 'enable_2fa', message: 'Turn on two-factor authentication.', href: '/my/security#two-factor' });
      if (twoFactorEnabled && recoveryCodesLeft <= 3) recommendations.push({ code: 'regenerate_recovery_codes', message: `Only ${recoveryCodesLeft} recovery code(s) left: create new ones.`, href: '/my/security#two-factor' });
      if (apiKeys.expiringWithin7Days > 0) recommendations.push({ code: 'rotate_expiring_key', message: `${apiKeys.expiringWithin7Days} API key(s) expire within 7 days.`, href: '/my/security#api-keys' });
      if (signedInDevices > 5) recommendations.push({ code: 'review_devices', message: `You are signed in on ${signedInDevices} devices: sign out the ones you do not use.`, href: '/my/security#devices' });
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
        recommendations,
      };
    },
  };
}

export type SecurityStatusService = ReturnType<typeof securityStatusService>;
