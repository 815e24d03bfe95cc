/**
 * Accounts: sign up, sign in, email verification and password reset links. Pure domain logic over the
 * repository; never sees an HTTP context. Setting a password from a reset link is the credential
 * lifecycle's (security/credential-lifecycle.ts); `resetPassword` here hands it over.
 *
 * Invariants: an email belongs to at most one account (case-insensitive); a password is stored only as
 * an argon2id hash; one-time links are stored as SHA-256 digests and die on first use; "forgot
 * password" and sign-in failures answer the same way whether or not the email exists.
 */
import { AppError } from '../errors.ts';
import { log } from '../log.ts';
import type { Outbox } from '../mail/outbox.ts';
import { nowSeconds } from '../clock.ts';
import { randomId, randomToken, sha256 } from '../security/tokens.ts';
import { tooManyAttempts, type RateLimiter } from '../security/rate-limiter.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { signInAccountKey, type CredentialLifecycle } from '../security/credential-lifecycle.ts';
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
  outbox: Outbox;
  limiter: RateLimiter;
  audit: AuditRepository;
  /** Sets the password from a reset link, ends every session and tells the account holder. */
  credentials: Pick<CredentialLifecycle, 'resetPassword'>;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function accountService(deps: AccountServiceDeps) {
  const { accounts, hasher, outbox, limiter, audit } = deps;

  async function sendVerification(account: Account): Promise<void> {
    const token = randomToken();
    await accounts.insertToken(sha256(token), account.id, 'verify_email', nowSeconds() + VERIFY_EMAIL_TTL, { email: account.email });
    await outbox.send(account.email, 'verifyEmail', { name: account.name, token });
  }

  async function signUp(input: { email: string; password: string; name: string }, options: { sendVerification?: boolean; verified?: boolean } = {}): Promise<Account> {
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
  }

  return {
    signUp,

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
        await outbox.send(existing.email, 'signUpWithTakenAddress', { name: existing.name });
        return;
      }
      try {
        await signUp(input);
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
      const accountKey = signInAccountKey(email);
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
      void outbox.send(account.email, 'passwordResetLink', { name: account.name, token }).catch((error: unknown) => log.warn(`reset mail to ${account.email} failed: ${String(error)}`));
    },

    async isResetTokenLive(token: string): Promise<boolean> {
      return Boolean(await accounts.peekToken(sha256(token), 'reset_password', nowSeconds()));
    },

    /**
     * Sets a new password from a reset link and does everything a reset implies (every session ends,
     * trusted devices are forgotten, the holder is told): see security/credential-lifecycle.ts.
     */
    resetPassword: (token: string, password: string): Promise<Account> => deps.credentials.resetPassword(token, password),

    async passwordChangedAt(accountId: string): Promise<number | undefined> {
      return (await accounts.findCredential(accountId, "password"))?.created_at;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
