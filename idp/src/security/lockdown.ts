/**
 * Lockdown ("this wasn't me", "secure my account"): after one confirmation, and without a recent
 * sign-in (the person may be locked out of one), it
 * - ends everything a password reset ends: every session (the current one too) with its grants and
 *   tokens, relying parties told by back-channel logout, and trusted 2FA devices (the credential
 *   lifecycle's `revokeAfterReset`, not a copy of it);
 * - revokes every API key;
 * - refuses sign-in until the password is reset: reset links mailed before are killed and a new one is
 *   mailed; the reset (credential-lifecycle.ts) lifts the lockdown.
 *
 * Reached from the activity page (signed in), from the link in a new-sign-in mail (a one-time token,
 * 7 days, bound to the account, only its SHA-256 stored) and from the extension (account API). Limited
 * per account and per IP, since it signs the person out everywhere.
 */
import { countRejection } from './rate-limit-metrics.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { CredentialLifecycle } from './credential-lifecycle.ts';
import type { LockdownRepository } from './lockdown-repository.ts';
import { tooManyAttempts, type RateLimiter } from './rate-limiter.ts';
import { randomToken, sha256 } from './tokens.ts';
import { msg } from '../i18n/translator.ts';

export const LOCKDOWN_LINK_SECONDS = 7 * 24 * 3600;
/** The reset link a lockdown mails lives longer than a forgotten-password one: the person may not be at their mail. */
export const LOCKDOWN_RESET_SECONDS = 24 * 3600;
const PER_ACCOUNT = { max: 5, windowSeconds: 3600 };
const PER_IP = { max: 20, windowSeconds: 3600 };

export type LockdownVia = 'portal' | 'mail' | 'api';

export function lockdownService(deps: {
  repo: LockdownRepository; accounts: AccountRepository;
  /** What a reset ends (sessions, API keys, trusted devices): lockdown ends the same, from the same code. */
  credentials: Pick<CredentialLifecycle, 'revokeAfterReset'>;
  limiter: RateLimiter; audit: AuditRepository; outbox: Outbox;
}) {
  const { repo, accounts, limiter, audit } = deps;
  const linkGone = () => new AppError('gone', 'This link is invalid, was already used, or has expired. Sign in and use "This wasn\'t me" on the security activity page, or reset your password.');

  async function lockDown(account: Account, via: LockdownVia, ip?: string): Promise<{ sessionsEnded: number; apiKeysRevoked: number }> {
    const wait = await limiter.attempt([`lockdown:account:${account.id}`, PER_ACCOUNT], ...(ip ? [[`lockdown:ip:${ip}`, PER_IP] as [string, typeof PER_IP]] : []));
    if (wait > 0) throw tooManyAttempts(wait, msg('Your account was already secured several times in the last hour.'));
    const now = nowSeconds();
    await repo.lock(account.id, now);
    const ended = await deps.credentials.revokeAfterReset(account.id);
    const apiKeysRevoked = ended.apiKeys;
    // Only a link mailed now can end the lockdown: earlier reset links (maybe requested by whoever got in) die.
    const token = randomToken();
    await accounts.transaction(async () => {
      await accounts.invalidateTokens(account.id, 'reset_password', now);
      await accounts.insertToken(sha256(token), account.id, 'reset_password', now + LOCKDOWN_RESET_SECONDS, { email: account.email });
    });
    await audit.record({ accountId: account.id, actor: account.id, event: 'account.locked_down', ip, data: { via, sessions: ended.sessions, apiKeys: apiKeysRevoked } });
    await deps.outbox.send(account, 'lockdownStarted', { name: account.name, token });
    return { sessionsEnded: ended.sessions, apiKeysRevoked };
  }

  return {
    lockDown,
    isLocked: repo.isLocked,

    /** A one-time "this wasn't me" link for a mail (new sign-in): the token to put in it. */
    async issueMailLink(accountId: string): Promise<string> {
      const token = randomToken();
      await accounts.insertToken(sha256(token), accountId, 'lockdown', nowSeconds() + LOCKDOWN_LINK_SECONDS);
      return token;
    },
    async isMailLinkLive(token: string): Promise<boolean> {
      return Boolean(await accounts.peekToken(sha256(token), 'lockdown', nowSeconds()));
    },
    /** Spends a mailed link (once) and locks its account down; returns the account's email for the answer page. */
    async lockDownFromMailLink(token: string, ip: string): Promise<{ email: string }> {
      const wait = await limiter.retryAfter(`lockdown:ip:${ip}`, PER_IP);
      if (wait > 0) countRejection('lockdown:ip');
      if (wait > 0) throw tooManyAttempts(wait, msg('Too many attempts from your network.'));
      const used = await accounts.consumeToken(sha256(token), 'lockdown', nowSeconds());
      const account = used && await accounts.findById(used.accountId);
      if (!account) {
        await limiter.hit(`lockdown:ip:${ip}`, PER_IP);
        throw linkGone();
      }
      await lockDown(account, 'mail', ip);
      return { email: account.email };
    },
  };
}

export type LockdownService = ReturnType<typeof lockdownService>;
