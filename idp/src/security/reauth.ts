/**
 * Re-authentication for sensitive actions (change password or email, turn 2FA on or off, regenerate
 * recovery codes, API keys, log out other devices, delete the account). The one rule: the session's
 * last sign-in (oidc-provider Session `loginTs`, moved forward by a successful re-authentication) must
 * be at most REAUTH_MAX_AGE_SECONDS old by our clock. The portal and the account API both call
 * `assertRecentAuth`; a stale session gets `reauthentication_required` and proves itself again with the
 * password, plus a second factor when 2FA is on.
 */
import { REAUTH_MAX_AGE_SECONDS } from '../../../shared/account-api.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from './audit-repository.ts';
import { tooManyAttempts, type RateLimiter } from './rate-limiter.ts';
import type { TwoFactorService } from './two-factor-service.ts';

export { REAUTH_MAX_AGE_SECONDS };
export const REAUTH_LIMIT = { max: 10, windowSeconds: 15 * 60 };

export function isRecentAuth(loginTs: number | undefined, now = nowSeconds()): boolean {
  return typeof loginTs === 'number' && now - loginTs <= REAUTH_MAX_AGE_SECONDS;
}

/** Throws `reauthentication_required` (with the RFC 9470 challenge for API callers) unless recent. */
export function assertRecentAuth(loginTs: number | undefined, now = nowSeconds()): void {
  if (isRecentAuth(loginTs, now)) return;
  throw new AppError('reauthentication_required', 'For your security, confirm it is you: sign in again to do this.', {
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=${REAUTH_MAX_AGE_SECONDS}` },
  });
}

/**
 * The one check of an account's current password for a signed-in person (re-authentication, change of
 * password): the attempt is counted per account before the slow verification, and over the limit the
 * answer is "too many attempts". The caller resets `reauthKey(accountId)` after the whole step succeeds.
 */
export async function verifyCurrentPassword(
  deps: { accounts: AccountRepository; hasher: PasswordHasher; limiter: RateLimiter },
  accountId: string,
  password: string,
): Promise<boolean> {
  const wait = await deps.limiter.attempt([reauthKey(accountId), REAUTH_LIMIT]);
  if (wait > 0) throw tooManyAttempts(wait);
  const credential = await deps.accounts.findCredential(accountId, 'password');
  return credential ? (await deps.hasher.verify(credential.secret, password)).ok : false;
}

export const reauthKey = (accountId: string) => `reauth:account:${accountId}`;

export function reauthService(deps: { accounts: AccountRepository; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository; twoFactor: TwoFactorService }) {
  const { accounts, hasher, limiter, audit, twoFactor } = deps;
  return {
    needsSecondFactor: async (accountId: string) => await twoFactor.isEnabled(accountId),
    /**
     * Checks the password (and the 2FA code when 2FA is on). Returns the new sign-in time to store in
     * the session. Failures are limited per account.
     */
    async reauthenticate(account: Account, input: { password: string; code?: string }, ip?: string): Promise<number> {
      if (!(await verifyCurrentPassword({ accounts, hasher, limiter }, account.id, input.password))) {
        await audit.record({ accountId: account.id, actor: account.id, event: 'reauth.failed', ip });
        throw new AppError('invalid_credentials', 'That password is not correct.', { fields: { reauth_password: 'That password is not correct.' } });
      }
      if (await twoFactor.isEnabled(account.id)) {
        if (!input.code) throw new AppError('invalid_input', 'Enter the 6-digit code from your authenticator app.', { fields: { reauth_code: 'Enter the code from your app.' } });
        await twoFactor.verify(account, input.code, { ip });
      }
      await limiter.reset(reauthKey(account.id));
      await audit.record({ accountId: account.id, actor: account.id, event: 'reauth.succeeded', ip });
      return nowSeconds();
    },
  };
}

export type ReauthService = ReturnType<typeof reauthService>;
