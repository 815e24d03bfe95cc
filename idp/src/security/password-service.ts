/**
 * Changing the password of a signed-in account: the current password is required, the new one follows
 * the policy, and afterwards every other session ends (refresh tokens revoked, relying parties told by
 * back-channel logout), trusted devices are forgotten and a notification is mailed.
 */
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import { checkPassword } from '../accounts/password-policy.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { SecurityNotifier } from './notifications.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthKey, verifyCurrentPassword } from './reauth.ts';
import type { SessionService } from './session-service.ts';
import { randomId } from './tokens.ts';
import type { TwoFactorService } from './two-factor-service.ts';
import { deviceLabel } from './user-agent.ts';

export function passwordService(deps: {
  accounts: AccountRepository; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  sessions: SessionService; twoFactor: TwoFactorService; notifier: SecurityNotifier;
}) {
  const { accounts, hasher, limiter, audit } = deps;
  return {
    async changePassword(account: Account, input: { current: string; next: string }, from: { sessionUid?: string; ip?: string; userAgent?: string }) {
      if (!(await verifyCurrentPassword({ accounts, hasher, limiter }, account.id, input.current))) {
        throw new AppError('invalid_credentials', 'Your current password is not correct.', { fields: { current_password: 'Your current password is not correct.' } });
      }
      checkPassword(input.next, account.email, 'new_password');
      if (input.next === input.current) {
        throw new AppError('invalid_input', 'Choose a password different from the current one.', { fields: { new_password: 'Choose a password different from the current one.' } });
      }
      const hash = await hasher.hash(input.next);
      const now = nowSeconds();
      await accounts.transaction(async () => {
        await accounts.replaceCredential({ id: randomId('cred_'), account_id: account.id, type: 'password', secret: hash, data: '{}', created_at: now, updated_at: now });
        // A reset link mailed before the change must not undo it.
        await accounts.invalidateTokens(account.id, 'reset_password', now);
      });
      await limiter.reset(reauthKey(account.id));
      const ended = await deps.sessions.endOtherSessions(account.id, from.sessionUid);
      await deps.twoFactor.forgetTrustedDevices(account.id);
      await audit.record({ accountId: account.id, actor: account.id, event: 'password.changed', ip: from.ip });
      await deps.notifier.passwordChanged(account, { ip: from.ip, device: deviceLabel(from.userAgent) });
      return ended;
    },
  };
}

export type PasswordService = ReturnType<typeof passwordService>;
