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
import { tooManyAttempts, type Limit, type RateLimiter } from '../security/rate-limiter.ts';
import { clientAddressKey } from '../security/client-address.ts';
import { ABUSE_LIMITS, refuseOverLimit } from '../security/abuse-limits.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { signInAccountKey, type CredentialLifecycle } from '../security/credential-lifecycle.ts';
import type { AccountRepository } from './account-repository.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { checkPassword } from './password-policy.ts';
import type { Account } from './types.ts';
import { msg } from '../i18n/translator.ts';

const VERIFY_EMAIL_TTL = 48 * 3600;
const RESET_PASSWORD_TTL = 3600;
/**
 * Password guessing limits (OWASP "device cookies"). A device that signed in to the account before
 * (its signed `lk_device` cookie is a known device of the account) has a budget of its own and is
 * never refused because of anyone else's failures. Unknown devices count per (account, client
 * address), with progressive waits (`ladder`: 10 in 15 minutes, then 20 in an hour, then 50 in a day),
 * and all together per account (`perAccount`, distributed guessing: more than one address can do,
 * so one stranger cannot lock out even the owner's new devices). Every client address also has a
 * budget across accounts (`perIp`). IPv6 counts by /64 (client-address.ts).
 */
export const SIGN_IN_LIMITS = {
  ladder: [
    { max: 10, windowSeconds: 15 * 60 },
    { max: 20, windowSeconds: 3600 },
    { max: 50, windowSeconds: 24 * 3600 },
  ],
  perAccount: { max: 50, windowSeconds: 15 * 60 },
  perIp: { max: 100, windowSeconds: 15 * 60 },
};

/** Where a sign-in comes from: the client address and the `lk_device` cookie's digest, when it sent one. */
export interface SignInOrigin {
  ip: string;
  deviceHash?: string;
}

/** The growing windows of one (account, device or address) pair: password and passkey sign-ins count alike. */
export const ladderKeys = (base: string): [string, Limit][] => SIGN_IN_LIMITS.ladder.map((limit) => [`${base}:${limit.windowSeconds}`, limit]);

export interface AccountServiceDeps {
  accounts: AccountRepository;
  hasher: PasswordHasher;
  outbox: Outbox;
  limiter: RateLimiter;
  audit: AuditRepository;
  /** Sets the password from a reset link, ends every session and tells the account holder. */
  credentials: Pick<CredentialLifecycle, 'resetPassword'>;
  /** Whether the device (digest of its `lk_device` cookie) signed in to the account before. */
  isKnownDevice: (accountId: string, deviceHash: string) => Promise<boolean>;
}

/** The refusal of every action of an unconfirmed account (pages, the account API, services), in the request's language. */
export function confirmFirst(email: string): AppError {
  return new AppError('forbidden', 'Confirm your email address first: we sent a link to {{email}}. Open it, or resend it from your account page (Account Information).', { params: { email } });
}

/** A mailed link opened while signed in to another account than the one it was sent for. */
export function linkForAnotherAccount(): AppError {
  return new AppError('forbidden', 'This link was sent for another account than the one you are signed in to. Sign out, sign in to the account it was sent for, then open the link again.');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function accountService(deps: AccountServiceDeps) {
  const { accounts, hasher, outbox, limiter, audit } = deps;

  async function sendVerification(account: Account): Promise<void> {
    const token = randomToken();
    await accounts.insertToken(sha256(token), account.id, 'verify_email', nowSeconds() + VERIFY_EMAIL_TTL, { email: account.email });
    await outbox.send(account, 'verifyEmail', { name: account.name, token });
  }

  /** `locale`: the language the person signed up in (their pages and mails use it until they change it). */
  async function signUp(input: { email: string; password: string; name: string; locale?: string }, options: { sendVerification?: boolean; verified?: boolean } = {}): Promise<Account> {
    const email = normalizeEmail(input.email);
    checkPassword(input.password, email);
    const hash = await hasher.hash(input.password);
    const now = nowSeconds();
    const account: Account = {
      id: randomId('acc_'),
      email,
      emailVerifiedAt: options.verified ? now : null,
      name: input.name.trim(),
      locale: input.locale ?? 'en',
      timezone: 'UTC',
      createdAt: now,
      updatedAt: now,
    };
    await accounts.transaction(async () => {
      if (await accounts.findByEmail(email)) {
        throw new AppError('conflict', 'An account with this email already exists. Sign in, or reset your password.', {
          fields: { email: msg('An account with this email already exists.') },
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
    async signUpWithoutEnumeration(input: { email: string; password: string; name: string; locale?: string }, ip: string): Promise<void> {
      const email = normalizeEmail(input.email);
      checkPassword(input.password, email);
      // Each sign-up mails the address (a link, or a notice to its owner): limited per network and per
      // address, counted before looking the address up so a 429 says nothing about it (abuse-limits.ts).
      await refuseOverLimit(limiter, [[`signup:ip:${clientAddressKey(ip)}`, ABUSE_LIMITS.signUpsPerIp], [`signup:address:${email}`, ABUSE_LIMITS.signUpsPerAddress]]);
      const existing = await accounts.findByEmail(email);
      if (existing) {
        await hasher.hash(input.password); // same cost as a real sign-up
        await outbox.send(existing, 'signUpWithTakenAddress', { name: existing.name });
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
     * Every attempt is counted in the store before the password is checked (so parallel guesses cannot
     * slip through), by the limits of SIGN_IN_LIMITS; over any the answer is "too many attempts"
     * without checking. A success clears its own ladder and gives shared budgets their attempt back.
     */
    async authenticate(emailInput: string, password: string, from: SignInOrigin): Promise<Account> {
      const email = normalizeEmail(emailInput);
      const known = await accounts.findByEmail(email);
      const knownDevice = Boolean(known && from.deviceHash && await deps.isKnownDevice(known.id, from.deviceHash));
      const ipKey = `signin:ip:${clientAddressKey(from.ip)}`;
      const ladder = ladderKeys(knownDevice ? `signin:device:${email}:${from.deviceHash}` : `signin:account-ip:${email}:${clientAddressKey(from.ip)}`);
      const shared: [string, Limit][] = knownDevice ? [] : [[signInAccountKey(email), SIGN_IN_LIMITS.perAccount], [ipKey, SIGN_IN_LIMITS.perIp]];
      const wait = await limiter.attempt(...ladder, ...shared);
      if (wait > 0) throw tooManyAttempts(wait, msg('Too many failed sign-in attempts. Reset your password, or wait.'));
      const account = known;
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
        if (account) await audit.record({ accountId: account.id, actor: 'anonymous', event: 'signin.failed', ip: from.ip, data: { knownDevice } });
        throw new AppError('invalid_credentials', 'Incorrect email or password.');
      }
      for (const [key] of ladder) await limiter.reset(key);
      for (const [key] of shared) await limiter.refund(key);
      return account;
    },

    async findById(id: string): Promise<Account | undefined> {
      return await accounts.findById(id);
    },

    async findByEmail(email: string): Promise<Account | undefined> {
      return await accounts.findByEmail(normalizeEmail(email));
    },

    /**
     * "Resend the link" of an unconfirmed account (a few an hour, abuse-limits.ts: each one is a mail from our sender).
     * Links sent before keep working until they expire.
     */
    async resendConfirmation(account: Account): Promise<void> {
      if (account.emailVerifiedAt) throw new AppError('conflict', '{{email}} is already confirmed.', { params: { email: account.email } });
      await refuseOverLimit(limiter, [[`verify-mail:account:${account.id}`, ABUSE_LIMITS.confirmationMailsPerAccount]]);
      await sendVerification(account);
    },

    /**
     * What a sign-up confirmation link would confirm, or undefined when it is dead. Lets the page name
     * the account before anything is spent.
     */
    async peekEmailConfirmation(token: string): Promise<{ accountId: string; email: string } | undefined> {
      const peek = await accounts.peekToken(sha256(token), 'verify_email', nowSeconds());
      return peek && typeof peek.data.email === 'string' ? { accountId: peek.accountId, email: peek.data.email } : undefined;
    },

    /**
     * Confirms the address a sign-up link was mailed to, for `signedInAccountId` only: the mailbox proves
     * the address, the session proves the account. Without the second, a link mailed to the real owner
     * would confirm an account someone else created with their address (issue 13, finding 6).
     */
    async verifyEmail(token: string, signedInAccountId: string): Promise<Account> {
      const now = nowSeconds();
      const peek = await accounts.peekToken(sha256(token), 'verify_email', now);
      if (peek && peek.accountId !== signedInAccountId) throw linkForAnotherAccount();
      const used = await accounts.consumeToken(sha256(token), 'verify_email', now);
      if (used && used.accountId !== signedInAccountId) throw linkForAnotherAccount();
      const account = used && await accounts.findById(used.accountId);
      // A link for an address the account no longer has must not verify the new one.
      if (!account || used.data.email !== account.email) {
        throw new AppError('gone', 'This confirmation link is invalid or has expired. Sign in to get a new one.');
      }
      if (!account.emailVerifiedAt) await accounts.update(account.id, { emailVerifiedAt: now }, now);
      await audit.record({ accountId: account.id, actor: account.id, event: 'email.verified' });
      return (await accounts.findById(account.id))!;
    },

    /**
     * Sends a reset link when the account exists; says nothing either way. Over the per-address or
     * per-network limit it answers 429, counted before the address is looked up, so known and unknown
     * addresses are refused alike.
     */
    async requestPasswordReset(emailInput: string, ip: string): Promise<void> {
      const email = normalizeEmail(emailInput);
      await refuseOverLimit(limiter, [[`reset:${email}`, ABUSE_LIMITS.resetMailsPerAddress], [`reset:ip:${clientAddressKey(ip)}`, ABUSE_LIMITS.resetMailsPerIp]]);
      const account = await accounts.findByEmail(email);
      if (!account) return;
      const token = randomToken();
      // Bound to the address it was mailed to: after an email change the old mailbox's link is dead.
      await accounts.insertToken(sha256(token), account.id, 'reset_password', nowSeconds() + RESET_PASSWORD_TTL, { email: account.email });
      await audit.record({ accountId: account.id, actor: 'anonymous', event: 'password.reset_requested', ip });
      // Not awaited: the answer must take as long for a known address as for an unknown one, and an
      // SMTP round trip would tell them apart.
      void outbox.send(account, 'passwordResetLink', { name: account.name, token }).catch((error: unknown) => log.warn(`reset mail to ${account.email} failed: ${String(error)}`));
    },

    async isResetTokenLive(token: string): Promise<boolean> {
      return Boolean(await accounts.peekToken(sha256(token), 'reset_password', nowSeconds()));
    },

    /**
     * Sets a new password from a reset link and does everything a reset implies (every session ends,
     * trusted devices are forgotten, the holder is told): see security/credential-lifecycle.ts.
     */
    resetPassword: (token: string, password: string, choices?: { removePasskeys?: readonly string[] }): Promise<Account> => deps.credentials.resetPassword(token, password, choices),

    async passwordChangedAt(accountId: string): Promise<number | undefined> {
      return (await accounts.findCredential(accountId, "password"))?.created_at;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
