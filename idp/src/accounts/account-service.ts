/**
 * Accounts: sign up, sign in, email verification and password reset. Pure domain logic over the
 * repository; never sees an HTTP context.
 *
 * Invariants: an email belongs to at most one account (case-insensitive); a password is stored only as
 * an argon2id hash; one-time links are stored as SHA-256 digests and die on first use; "forgot
 * password" and sign-in failures answer the same way whether or not the email exists.
 */
import { AppError } from '../errors.ts';
import { log } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { nowSeconds } from '../clock.ts';
import { randomId, randomToken, sha256 } from '../security/tokens.ts';
import { tooManyAttempts, type RateLimiter } from '../security/rate-limiter.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import type { AccountRepository } from './account-repository.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { checkPassword } from './password-policy.ts';
import type { Account } from './types.ts';

const VERIFY_EMAIL_TTL = 48 * 3600;
const RESET_PASSWORD_TTL = 3600;
export const SIGN_IN_LIMITS = {
  perAccount: { max: 10, windowSeconds: 15 * 60 },
  perIp: { max: 100, windowSeconds: 15 * 60 },
};

export interface AccountServiceDeps {
  accounts: AccountRepository;
  hasher: PasswordHasher;
  mailer: Mailer;
  limiter: RateLimiter;
  audit: AuditRepository;
  issuer: () => string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function accountService(deps: AccountServiceDeps) {
  const { accounts, hasher, mailer, limiter, audit } = deps;

  async function sendVerification(account: Account): Promise<void> {
    const token = randomToken();
    await accounts.insertToken(sha256(token), account.id, 'verify_email', nowSeconds() + VERIFY_EMAIL_TTL, { email: account.email });
    await mailer.send({
      to: account.email,
      subject: 'Confirm your email address',
      text: `Hello ${account.name},\n\nConfirm your email address by opening this link within 48 hours:\n${deps.issuer()}/verify-email?token=${token}\n\nIf you did not create an account, ignore this message.\n`,
    });
  }

  return {
    async signUp(input: { email: string; password: string; name: string }, options: { sendVerification?: boolean; verified?: boolean } = {}): Promise<Account> {
      const email = normalizeEmail(input.email);
      checkPassword(input.password, email);
      const hash = await hasher.hash(input.password);
      const now = nowSeconds();
      const account: Account = {
        id: randomId('acc_'),
        email,
        emailVerifiedAt: options.verified ? now : null,
        name: input.name.trim(),
        locale: 'en',
        timezone: 'UTC',
        createdAt: now,
        updatedAt: now,
      };
      await accounts.transaction(async () => {
        if (await accounts.findByEmail(email)) {
          throw new AppError('conflict', 'An account with this email already exists. Sign in, or reset your password.', {
            fields: { email: 'An account with this email already exists.' },
          });
        }
        await accounts.insert(account);
        await accounts.replaceCredential({
          id: randomId('cred_'), account_id: account.id, type: 'password', secret: hash,
          data: '{}', created_at: now, updated_at: now,
        });
      });
      await audit.record({ accountId: account.id, actor: account.id, event: 'account.created' });
      if (options.sendVerification !== false && !account.emailVerifiedAt) await sendVerification(account);
      return account;
    },

    /**
     * Sign-up as the public form does it: a taken address gets a notice to its owner instead of an error,
     * so the form never tells whether an account exists. Password rules are still checked first (they
     * do not depend on the account).
     */
    async signUpWithoutEnumeration(input: { email: string; password: string; name: string }, ip: string): Promise<void> {
      const email = normalizeEmail(input.email);
      checkPassword(input.password, email);
      if (await limiter.hit(`signup:ip:${ip}`, { max: 20, windowSeconds: 3600 }) > 20) {
        throw new AppError('too_many_requests', 'Too many sign-ups from your network. Try again in an hour.');
      }
      const existing = await accounts.findByEmail(email);
      if (existing) {
        await hasher.hash(input.password); // same cost as a real sign-up
        await mailer.send({
          to: existing.email,
          subject: 'Someone tried to create an account with your address',
          text: `Hello ${existing.name},\n\nSomeone tried to create a new account with this email address, which already has one.\nIf it was you, sign in at ${deps.issuer()}/my/login or reset your password at ${deps.issuer()}/password/forgot.\nIf not, you can ignore this message.\n`,
        });
        return;
      }
      try {
        await this.signUp(input);
      } catch (error) {
        // Lost a race with another sign-up for the same address: answer as for a taken address.
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
      }
    },

    /**
     * Checks email and password. Unknown email and wrong password cost the same and fail the same.
     * Every attempt is counted per account and per IP in the store before the password is checked (so
     * parallel guesses cannot slip through); over either limit the answer is "too many attempts"
     * without checking. A success clears the account's count and gives the IP its attempt back.
     */
    async authenticate(emailInput: string, password: string, ip: string): Promise<Account> {
      const email = normalizeEmail(emailInput);
      const accountKey = `signin:account:${email}`;
      const ipKey = `signin:ip:${ip}`;
      const wait = await limiter.attempt([accountKey, SIGN_IN_LIMITS.perAccount], [ipKey, SIGN_IN_LIMITS.perIp]);
      if (wait > 0) throw tooManyAttempts(wait, 'Too many failed sign-in attempts. Reset your password, or wait.');
      const account = await accounts.findByEmail(email);
      const credential = account && await accounts.findCredential(account.id, 'password');
      let ok = false;
      if (account && credential) {
        const result = await hasher.verify(credential.secret, password);
        ok = result.ok;
        if (result.needsRehash) await accounts.updateCredentialSecret(credential.id, await hasher.hash(password), nowSeconds());
      } else {
        await hasher.verifyDummy(password);
      }
      if (!ok || !account) {
        if (account) await audit.record({ accountId: account.id, actor: 'anonymous', event: 'signin.failed', ip });
        throw new AppError('invalid_credentials', 'Incorrect email or password.');
      }
      await limiter.reset(accountKey);
      await limiter.refund(ipKey);
      return account;
    },

    async findById(id: string): Promise<Account | undefined> {
      return await accounts.findById(id);
    },

    async findByEmail(email: string): Promise<Account | undefined> {
      return await accounts.findByEmail(normalizeEmail(email));
    },

    resendVerification: sendVerification,

    async verifyEmail(token: string): Promise<Account> {
      const now = nowSeconds();
      const used = await accounts.consumeToken(sha256(token), 'verify_email', now);
      const account = used && await accounts.findById(used.accountId);
      // A link for an address the account no longer has must not verify the new one.
      if (!account || used.data.email !== account.email) {
        throw new AppError('gone', 'This confirmation link is invalid or has expired. Sign in to get a new one.');
      }
      if (!account.emailVerifiedAt) await accounts.update(account.id, { emailVerifiedAt: now }, now);
      await audit.record({ accountId: account.id, actor: account.id, event: 'email.verified' });
      return (await accounts.findById(account.id))!;
    },

    /** Sends a reset link when the account exists; says nothing either way. */
    async requestPasswordReset(emailInput: string, ip: string): Promise<void> {
      const email = normalizeEmail(emailInput);
      const key = `reset:${email}`;
      if (await limiter.attempt([key, { max: 5, windowSeconds: 3600 }], [`reset:ip:${ip}`, { max: 50, windowSeconds: 3600 }]) > 0) return;
      const account = await accounts.findByEmail(email);
      if (!account) return;
      const token = randomToken();
      // Bound to the address it was mailed to: after an email change the old mailbox's link is dead.
      await accounts.insertToken(sha256(token), account.id, 'reset_password', nowSeconds() + RESET_PASSWORD_TTL, { email: account.email });
      await audit.record({ accountId: account.id, actor: 'anonymous', event: 'password.reset_requested', ip });
      // Not awaited: the answer must take as long for a known address as for an unknown one, and an
      // SMTP round trip would tell them apart.
      void mailer.send({
        to: account.email,
        subject: 'Reset your password',
        text: `Hello ${account.name},\n\nSomeone asked to reset the password of your account. To choose a new password, open this link within one hour:\n${deps.issuer()}/password/reset?token=${token}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
      }).catch((error: unknown) => log.warn(`reset mail to ${account.email} failed: ${String(error)}`));
    },

    async isResetTokenLive(token: string): Promise<boolean> {
      return Boolean(await accounts.peekToken(sha256(token), 'reset_password', nowSeconds()));
    },

    /**
     * Sets a new password from a reset link. Returns the account so callers can end its sessions.
     * `afterReset` runs once the new password is in place (e.g. removing passkeys); what it returns is
     * added to the confirmation mail.
     */
    async resetPassword(token: string, password: string, afterReset?: (account: Account) => Promise<string | undefined>): Promise<Account> {
      const now = nowSeconds();
      const peek = await accounts.peekToken(sha256(token), 'reset_password', now);
      const account = peek && await accounts.findById(peek.accountId);
      if (!account) throw new AppError('gone', 'This reset link is invalid or has expired. Ask for a new one.');
      checkPassword(password, account.email);
      const hash = await hasher.hash(password);
      await accounts.transaction(async () => {
        const used = await accounts.consumeToken(sha256(token), 'reset_password', now);
        if (!used || used.data.email !== account.email) {
          throw new AppError('gone', 'This reset link is invalid or has expired. Ask for a new one.');
        }
        await accounts.replaceCredential({ id: randomId('cred_'), account_id: account.id, type: 'password', secret: hash, data: '{}', created_at: now, updated_at: now });
        await accounts.invalidateTokens(account.id, 'reset_password', now);
      });
      await limiter.reset(`signin:account:${account.email}`);
      await audit.record({ accountId: account.id, actor: account.id, event: 'password.reset' });
      const more = afterReset ? await afterReset(account) : undefined;
      await mailer.send({
        to: account.email,
        subject: 'Your password was changed',
        text: `Hello ${account.name},\n\nThe password of your account was just reset. Every device was signed out.\n${more ? `${more}\n` : ''}If it was not you, reset your password again at ${deps.issuer()}/password/forgot and contact support.\n`,
      });
      return account;
    },

    async passwordChangedAt(accountId: string): Promise<number | undefined> {
      return (await accounts.findCredential(accountId, "password"))?.created_at;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
