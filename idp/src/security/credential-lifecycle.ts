/**
 * The password's lifecycle: the one place a password is replaced, and what must follow.
 *
 * - change (signed in, the current password known): every OTHER session ends;
 * - reset (a mailed one-time link, the current password unknown): EVERY session ends, and whatever
 *   else `revokeAfterReset` lists, since whoever held the account may still hold something.
 * Both then forget trusted 2FA devices, kill reset links mailed before, record the event and tell the
 * account holder. Ending a session revokes its grants and tokens and tells relying parties by
 * back-channel logout (session-service.ts).
 *
 * Routes only parse and call; they never finish this work themselves.
 */
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import { checkPassword } from '../accounts/password-policy.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { LockdownRepository } from './lockdown-repository.ts';
import type { SecurityNotifier } from './notifications.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthKey, verifyCurrentPassword } from './reauth.ts';
import type { SessionService } from './session-service.ts';
import { randomId, sha256 } from './tokens.ts';
import type { TwoFactorService } from './two-factor-service.ts';
import { deviceLabel } from './user-agent.ts';

/** The failed sign-in count of an address (accounts' sign-in limit); a reset clears it. */
export const signInAccountKey = (email: string) => `signin:account:${email}`;

export interface ChangeOrigin {
  /** The session making the change: it stays signed in. */
  sessionUid?: string;
  ip?: string;
  userAgent?: string;
}

export function credentialLifecycle(deps: {
  accounts: AccountRepository; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  sessions: SessionService; twoFactor: TwoFactorService; notifier: SecurityNotifier;
  /** Accounts in lockdown (lockdown.ts): a reset from a mailed link ends it. */
  lockdowns: LockdownRepository;
}) {
  const { accounts, hasher, limiter, audit, sessions, twoFactor, notifier } = deps;
  const resetGone = () => new AppError('gone', 'This reset link is invalid or has expired. Ask for a new one.');

  /** Stores the new hash; `inside` runs in the same transaction first (a reset consumes its link there). */
  async function storePassword(accountId: string, hash: string, now: number, inside?: () => Promise<void>): Promise<void> {
    await accounts.transaction(async () => {
      await inside?.();
      await accounts.replaceCredential({ id: randomId('cred_'), account_id: accountId, type: 'password', secret: hash, data: '{}', created_at: now, updated_at: now });
      // A reset link mailed before must not undo this password.
      await accounts.invalidateTokens(accountId, 'reset_password', now);
    });
  }

  /**
   * Everything a password reset revokes besides the password itself. Issue 13 adds API keys here.
   * Returns what the sessions step ended.
   */
  async function revokeAfterReset(accountId: string) {
    const ended = await sessions.endAllSessions(accountId);
    await twoFactor.forgetTrustedDevices(accountId);
    return ended;
  }

  async function changePassword(account: Account, input: { current: string; next: string }, from: ChangeOrigin) {
    if (!(await verifyCurrentPassword({ accounts, hasher, limiter }, account.id, input.current))) {
      throw new AppError('invalid_credentials', 'Your current password is not correct.', { fields: { current_password: 'Your current password is not correct.' } });
    }
    checkPassword(input.next, account.email, 'new_password');
    if (input.next === input.current) {
      throw new AppError('invalid_input', 'Choose a password different from the current one.', { fields: { new_password: 'Choose a password different from the current one.' } });
    }
    await storePassword(account.id, await hasher.hash(input.next), nowSeconds());
    await limiter.reset(reauthKey(account.id));
    const ended = await sessions.endOtherSessions(account.id, from.sessionUid);
    await twoFactor.forgetTrustedDevices(account.id);
    await audit.record({ accountId: account.id, actor: account.id, event: 'password.changed', ip: from.ip });
    await notifier.passwordChanged(account, { ip: from.ip, device: deviceLabel(from.userAgent) });
    return ended;
  }

  /** Sets a new password from a mailed reset link (single use, bound to the address it was sent to). */
  async function resetPassword(token: string, password: string): Promise<Account> {
    const now = nowSeconds();
    const peek = await accounts.peekToken(sha256(token), 'reset_password', now);
    const account = peek && await accounts.findById(peek.accountId);
    if (!account) throw resetGone();
    checkPassword(password, account.email);
    await storePassword(account.id, await hasher.hash(password), now, async () => {
      const used = await accounts.consumeToken(sha256(token), 'reset_password', now);
      if (!used || used.data.email !== account.email) throw resetGone();
    });
    await limiter.reset(signInAccountKey(account.email));
    await revokeAfterReset(account.id);
    await audit.record({ accountId: account.id, actor: account.id, event: 'password.reset' });
    if (await deps.lockdowns.lift(account.id)) await audit.record({ accountId: account.id, actor: account.id, event: 'account.lockdown_lifted' });
    await notifier.passwordReset(account);
    return account;
  }

  return { changePassword, resetPassword, revokeAfterReset };
}

export type CredentialLifecycle = ReturnType<typeof credentialLifecycle>;
