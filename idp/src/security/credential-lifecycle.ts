/**
 * The password's lifecycle: the one place a password is replaced, and what must follow.
 *
 * - change (signed in, the current password known): every OTHER session ends;
 *   API keys are revoked too when the holder asks (`revokeApiKeys`, a checkbox on the form);
 * - reset (a mailed one-time link, the current password unknown): recovery ends everything
 *   (`revokeAfterReset`): EVERY session, EVERY API key, every trusted device (and every browser known
 *   to the sign-in limits) and, for an account whose
 *   address was never confirmed before, any second factor and recovery codes, since whoever signed
 *   up with someone else's address may have set them (issue 13). The link proves the mailbox, so the
 *   address is confirmed by it. The notice lists what was ended.
 * Both forget trusted 2FA devices, kill reset links mailed before, record the event and tell the
 * account holder. A reset also removes the passkeys the person ticked on the reset form (the mail names
 * the removed and the kept ones): a way in someone else added must not survive recovery unseen.
 * Ending a session revokes its grants and tokens and tells relying parties by
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
import type { ResetEnded } from '../mail/messages.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { LockdownRepository } from './lockdown-repository.ts';
import type { SecurityNotifier } from './notifications.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthKey, verifyCurrentPassword } from './reauth.ts';
import type { SessionService } from './session-service.ts';
import { randomId, sha256 } from './tokens.ts';
import type { TwoFactorService } from './two-factor-service.ts';

/** The failed sign-in count of an address (accounts' sign-in limit); a reset clears it. */
export const signInAccountKey = (email: string) => `signin:account:${email}`;

export interface ChangeOrigin {
  /** The session making the change: it stays signed in. */
  sessionUid?: string;
  ip?: string;
  userAgent?: string;
}

/** The API keys module as the lifecycle needs it (built after it; the composition root hands the repository). */
export interface ApiKeyRevoker {
  /** Revokes every key of the account; returns how many. */
  revokeAll(accountId: string): Promise<number>;
}

/** The passkeys module, as a reset needs it: remove the ticked ones, say what is left. */
export interface PasskeyReset {
  removeForReset(accountId: string, ids: readonly string[]): Promise<{ removed: { name: string }[]; kept: { name: string }[] }>;
}

export function credentialLifecycle(deps: {
  accounts: AccountRepository; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  sessions: SessionService; twoFactor: TwoFactorService; notifier: SecurityNotifier; apiKeys: ApiKeyRevoker; passkeys?: PasskeyReset;
  /** Accounts in lockdown (lockdown.ts): a reset from a mailed link ends it. */
  lockdowns: LockdownRepository;
}) {
  const { accounts, hasher, limiter, audit, sessions, twoFactor, notifier, apiKeys } = deps;
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
   * Everything a password reset revokes besides the password itself: every session, every API key,
   * every trusted device, and (`neverConfirmed`) the second factor and recovery codes.
   */
  async function revokeAfterReset(accountId: string, options: { neverConfirmed: boolean } = { neverConfirmed: false }): Promise<ResetEnded> {
    const ended = await sessions.endAllSessions(accountId);
    const revokedKeys = await apiKeys.revokeAll(accountId);
    const trustedDevices = await twoFactor.forgetTrustedDevices(accountId);
    // Browsers that signed in before lose their own guessing budget (sign-in limits): whoever held the
    // account may have signed in from them. Each is recognised again at its next sign-in.
    const knownDevices = await sessions.forgetKnownDevices(accountId);
    const secondFactorRemoved = options.neverConfirmed && await twoFactor.removeAfterRecovery(accountId);
    await audit.record({ accountId, actor: accountId, event: 'password.reset_revoked', data: { sessions: ended.sessions, apiKeys: revokedKeys, trustedDevices, knownDevices, secondFactorRemoved } });
    return { sessions: ended.sessions, apiKeys: revokedKeys, trustedDevices, secondFactorRemoved };
  }

  async function changePassword(account: Account, input: { current: string; next: string; revokeApiKeys?: boolean }, from: ChangeOrigin) {
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
    const revokedApiKeys = input.revokeApiKeys ? await apiKeys.revokeAll(account.id) : 0;
    await audit.record({ accountId: account.id, actor: account.id, event: 'password.changed', ip: from.ip, data: { revokedApiKeys } });
    await notifier.passwordChanged(account, { ip: from.ip, userAgent: from.userAgent }, revokedApiKeys);
    return { ...ended, revokedApiKeys };
  }

  /**
   * Sets a new password from a mailed reset link (single use, bound to the address it was sent to);
   * `removePasskeys` are the passkeys ticked on the reset form.
   */
  async function resetPassword(token: string, password: string, choices: { removePasskeys?: readonly string[] } = {}): Promise<Account> {
    const now = nowSeconds();
    const peek = await accounts.peekToken(sha256(token), 'reset_password', now);
    const account = peek && await accounts.findById(peek.accountId);
    if (!account) throw resetGone();
    checkPassword(password, account.email);
    const neverConfirmed = !account.emailVerifiedAt;
    await storePassword(account.id, await hasher.hash(password), now, async () => {
      const used = await accounts.consumeToken(sha256(token), 'reset_password', now);
      if (!used || used.data.email !== account.email) throw resetGone();
      // The link was mailed to this address and opened: that confirms it.
      if (neverConfirmed) await accounts.update(account.id, { emailVerifiedAt: now }, now);
    });
    await limiter.reset(signInAccountKey(account.email));
    const ended = await revokeAfterReset(account.id, { neverConfirmed });
    const passkeys = await deps.passkeys?.removeForReset(account.id, choices.removePasskeys ?? []);
    await audit.record({ accountId: account.id, actor: account.id, event: 'password.reset' });
    if (await deps.lockdowns.lift(account.id)) await audit.record({ accountId: account.id, actor: account.id, event: 'account.lockdown_lifted' });
    await notifier.passwordReset(account, ended, passkeys && { removed: passkeys.removed.map((p) => p.name), kept: passkeys.kept.map((p) => p.name) });
    return (await accounts.findById(account.id)) ?? account;
  }

  return { changePassword, resetPassword, revokeAfterReset };
}

export type CredentialLifecycle = ReturnType<typeof credentialLifecycle>;
