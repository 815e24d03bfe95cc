/**
 * Passkeys: registration, sign-in and re-authentication with WebAuthn discoverable credentials
 * (@simplewebauthn/server), list, rename, delete. No `ctx`: routes pass the binding and the caller's IP.
 *
 * Invariants:
 * - Relying party id = the issuer's host, origin = the issuer's origin; user verification required,
 *   attestation `none`, resident keys required.
 * - Every challenge is issued for one purpose and bound to one portal session uid (register, reauth) or
 *   one interaction uid (sign-in); it is taken (deleted) before the answer is verified, so it works once
 *   even when the answer is wrong, and it expires after CHALLENGE_TTL_SECONDS.
 * - The sign-in options carry no email and no credential list (discoverable flow): they reveal nothing
 *   about which accounts exist. The account is found from the credential the authenticator chose.
 * - The sign counter only moves forward. An answer whose counter is not above the stored one (when
 *   either is non-zero) is refused and logged as a possible cloned authenticator (`passkey.counter_regression`).
 * - Failures are throttled like passwords: per IP before anything is looked up, per account once the
 *   credential names one; re-authentication shares the password re-authentication budget.
 * - An account never loses its last way to sign in: the last passkey of an account without a password
 *   cannot be deleted.
 * - Only an account with a confirmed email adds a passkey: someone who signed up with another person's
 *   address must not plant a way in before the owner recovers the account (issue 13).
 */
import crypto from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { ladderKeys, SIGN_IN_LIMITS } from '../accounts/account-service.ts';
import { clientAddressKey } from '../security/client-address.ts';
import type { Account } from '../accounts/types.ts';
import { nowSeconds } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { SeenFrom } from '../mail/messages.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { tooManyAttempts, type RateLimiter } from '../security/rate-limiter.ts';
import { REAUTH_LIMIT, reauthKey } from '../security/reauth.ts';
import { randomId, sha256 } from '../security/tokens.ts';
import type { PasskeyRepository } from './passkey-repository.ts';
import { CHALLENGE_TTL_SECONDS, MAX_PASSKEYS, type ChallengePurpose, type Passkey } from './types.ts';
import { msg } from '../i18n/translator.ts';

/**
 * Signature algorithms we accept: ES256, EdDSA, RS256 (what passkey providers use). The library's
 * default list now starts with ML-DSA, which Node verifies only through an experimental API and whose
 * 2.4 kB signatures a browser would then prefer.
 */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];
/** Outstanding challenges one session or interaction may hold (each options call adds one). */
const MAX_OUTSTANDING_CHALLENGES = 10;
/** Options calls per IP: each writes a row, so they are bounded like sign-in attempts. */
const OPTIONS_LIMIT = { max: 120, windowSeconds: 15 * 60 };


/** RFC 8176 methods of a passkey sign-in: key kind (device-bound = hardware, synced = software), user verified, proof of possession. */
export function passkeyAmr(passkey: Pick<Passkey, 'backupEligible'>): string[] {
  return [passkey.backupEligible ? 'swk' : 'hwk', 'user', 'pop'];
}

/** The WebAuthn user handle of an account: stable, opaque, and not the account id itself. */
export function userHandleOf(accountId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(crypto.createHash('sha256').update(`latchkey-passkey-user:${accountId}`).digest());
}

const b64url = (what: string, max: number) => z.string({ error: `The passkey answer has no ${what}.` })
  .max(max, `The passkey answer's ${what} is too long.`)
  .regex(/^[A-Za-z0-9_-]*$/, `The passkey answer's ${what} is not base64url.`);

const answerBase = {
  id: b64url('credential id', 1400).min(1, 'The passkey answer has no credential id.'),
  rawId: b64url('credential id', 1400),
  type: z.literal('public-key', { error: 'The passkey answer is not a public-key credential.' }),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional().default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

export const registrationAnswer = z.object({
  ...answerBase,
  response: z.object({
    clientDataJSON: b64url('client data', 4096),
    attestationObject: b64url('attestation', 16384),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }, { error: 'The passkey answer has no response.' }),
});

export const authenticationAnswer = z.object({
  ...answerBase,
  response: z.object({
    clientDataJSON: b64url('client data', 4096),
    authenticatorData: b64url('authenticator data', 4096),
    signature: b64url('signature', 1024),
    userHandle: b64url('user handle', 256).optional(),
  }, { error: 'The passkey answer has no response.' }),
});

const unreadable = () => new AppError('bad_request', 'The answer from your passkey could not be read. Try again.');
const staleChallenge = () => new AppError('bad_request', 'This passkey request expired or was already used. Try again.');

/** The answer as sent: a JSON string (form field) or an object (JSON body), checked for shape. */
function parseAnswer<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  let value = input;
  if (input === undefined || input === null || input === '') throw new AppError('invalid_input', 'Use your passkey first: no answer from it was sent.');
  if (typeof input === 'string') {
    if (input.length > 40_000) throw new AppError('bad_request', 'The answer from your passkey is too large.');
    try {
      value = JSON.parse(input);
    } catch {
      throw new AppError('bad_request', 'The answer from your passkey could not be read (it is not valid JSON). Try again.');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('bad_request', parsed.error.issues[0]?.message ?? 'The answer from your passkey could not be read.');
  return parsed.data;
}

function assertConfirmed(account: Account): void {
  if (!account.emailVerifiedAt) {
    throw new AppError('forbidden', 'Confirm your email address first (see Account Information): only then can you add a passkey.');
  }
}

function challengeOf(clientDataJSON: string): string {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof data.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(data.challenge)) return data.challenge;
  } catch {
    // fall through
  }
  throw unreadable();
}

/** The library's reasons, said for people. */
function verificationFailed(error: unknown, origin: string): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (/origin/i.test(message)) return new AppError('bad_request', 'This passkey answer was made for another site, not {{origin}}. Use your passkey on this page.', { params: { origin } });
  if (/RP ID/i.test(message)) return new AppError('bad_request', 'This passkey answer names another site (relying party id). Use a passkey made for this site.');
  if (/user could not be verified|user verification/i.test(message)) return new AppError('bad_request', 'Your passkey did not verify you (PIN, fingerprint or face). Try again and confirm it is you.');
  if (/type/i.test(message) && /unexpected/i.test(message)) return new AppError('bad_request', 'This passkey answer is of the wrong kind for this step. Try again.');
  return new AppError('bad_request', 'The answer from your passkey could not be verified. Try again.', { cause: error });
}

export function passkeyService(deps: {
  repo: PasskeyRepository; accounts: AccountRepository; limiter: RateLimiter; audit: AuditRepository; outbox: Outbox;
  issuer: () => string; rpName?: string;
}) {
  const { repo, accounts, limiter, audit } = deps;
  const rp = () => {
    const url = new URL(deps.issuer());
    return { id: url.hostname, origin: url.origin };
  };

  /** A new challenge as bytes (the library sends them base64url-encoded; that string is what comes back). */
  async function issueChallenge(purpose: ChallengePurpose, binding: string, accountId: string | undefined, ip: string | undefined): Promise<Uint8Array<ArrayBuffer>> {
    const now = nowSeconds();
    if (ip) {
      const wait = await limiter.attempt([`passkey:options:ip:${ip}`, OPTIONS_LIMIT]);
      if (wait > 0) throw tooManyAttempts(wait, msg('Too many passkey requests.'));
    }
    if (await repo.countChallenges(binding, now) >= MAX_OUTSTANDING_CHALLENGES) {
      throw new AppError('too_many_requests', 'Too many passkey requests for this page. Reload it and try again in a few minutes.', { headers: { 'Retry-After': String(CHALLENGE_TTL_SECONDS) } });
    }
    const challenge = new Uint8Array(crypto.randomBytes(32));
    await repo.insertChallenge(sha256(Buffer.from(challenge).toString('base64url')), { purpose, binding, accountId }, now + CHALLENGE_TTL_SECONDS);
    return challenge;
  }

  /** Takes the answer's challenge (once) and checks it was issued for this purpose, binding and account. */
  async function takeChallenge(clientDataJSON: string, purpose: ChallengePurpose, binding: string, accountId?: string): Promise<string> {
    const challenge = challengeOf(clientDataJSON);
    const taken = await repo.takeChallenge(sha256(challenge), purpose);
    if (!taken || taken.binding !== binding || taken.accountId !== accountId || taken.expiresAt <= nowSeconds()) throw staleChallenge();
    return challenge;
  }

  /**
   * Verifies an assertion for `passkey` against `challenge` and records the use. Refuses a counter that
   * did not move forward (logged). The library's own counter check is turned off (counter 0) so this
   * is the one place that decides, with our audit event.
   */
  async function verifyAssertion(answer: AuthenticationResponseJSON, passkey: Passkey, challenge: string, ip?: string): Promise<Passkey> {
    const { id: rpId, origin } = rp();
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response: answer, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: true,
        credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0, transports: passkey.transports as never },
      });
    } catch (error) {
      throw verificationFailed(error, origin);
    }
    if (!verified.verified) throw new AppError('bad_request', 'The answer from your passkey could not be verified. Try again.');
    const { newCounter, credentialBackedUp } = verified.authenticationInfo;
    const regressed = (passkey.signCount > 0 || newCounter > 0) && newCounter <= passkey.signCount;
    if (regressed || !await repo.recordUse(passkey.id, passkey.signCount, { signCount: newCounter, backupState: credentialBackedUp, at: nowSeconds() })) {
      await audit.record({ accountId: passkey.accountId, actor: 'anonymous', event: 'passkey.counter_regression', ip, data: { passkey: passkey.id, name: passkey.name, stored: passkey.signCount, received: newCounter } });
      throw new AppError('invalid_credentials', 'This passkey was refused: its signature counter went backwards, which happens when a passkey was copied to another device. Sign in with your password and check your passkeys on Connection & Security.');
    }
    return { ...passkey, signCount: newCounter, backupState: credentialBackedUp, lastUsedAt: nowSeconds() };
  }

  const service = {
    rpId: () => rp().id,

    async list(accountId: string): Promise<Passkey[]> {
      return repo.listByAccount(accountId);
    },

    async count(accountId: string): Promise<number> {
      return repo.countByAccount(accountId);
    },

    /** Creation options for a new passkey of `account`, bound to its portal session. */
    async registrationOptions(account: Account, sessionUid: string, ip?: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      assertConfirmed(account);
      const existing = await repo.listByAccount(account.id);
      if (existing.length >= MAX_PASSKEYS) {
        throw new AppError('conflict', 'You already have {{max}} passkeys, the most an account can have. Delete one you no longer use first.', { params: { max: MAX_PASSKEYS } });
      }
      const challenge = await issueChallenge('register', sessionUid, account.id, ip);
      return generateRegistrationOptions({
        rpName: deps.rpName ?? 'Latchkey',
        rpID: rp().id,
        userID: userHandleOf(account.id),
        userName: account.email,
        userDisplayName: account.name,
        challenge,
        timeout: CHALLENGE_TTL_SECONDS * 1000,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
    },

    /** Verifies a registration answer and stores the passkey; nothing is stored when anything is wrong. */
    async register(account: Account, sessionUid: string, input: unknown, name: string | undefined, from: SeenFrom = {}): Promise<Passkey> {
      assertConfirmed(account);
      const answer = parseAnswer(registrationAnswer, input) as RegistrationResponseJSON;
      const challenge = await takeChallenge(answer.response.clientDataJSON, 'register', sessionUid, account.id);
      const { id: rpId, origin } = rp();
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verified = await verifyRegistrationResponse({
          response: answer, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpId,
          requireUserVerification: true, requireUserPresence: true, supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        });
      } catch (error) {
        throw verificationFailed(error, origin);
      }
      if (!verified.verified) throw new AppError('bad_request', 'The answer from your passkey could not be verified. Try again.');
      const info = verified.registrationInfo;
      if (await repo.findByCredentialId(info.credential.id)) {
        throw new AppError('conflict', 'This passkey is already registered. Each passkey can be added once.');
      }
      const now = nowSeconds();
      const count = await repo.countByAccount(account.id);
      const passkey: Passkey = {
        id: randomId('pk_'),
        accountId: account.id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        signCount: info.credential.counter,
        transports: (answer.response.transports ?? []).slice(0, 10),
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backupState: info.credentialBackedUp,
        aaguid: info.aaguid,
        name: name || `Passkey ${count + 1}`,
        createdAt: now,
        lastUsedAt: null,
      };
      if (!await repo.insertUnderLimit(passkey, MAX_PASSKEYS)) {
        throw new AppError('conflict', 'You already have {{max}} passkeys, the most an account can have. Delete one you no longer use first.', { params: { max: MAX_PASSKEYS } });
      }
      await audit.record({ accountId: account.id, actor: account.id, event: 'passkey.added', ip: from.ip, data: { passkey: passkey.id, name: passkey.name, synced: passkey.backupEligible } });
      await deps.outbox.send(account, 'passkeyAdded', { name: account.name, passkey: passkey.name, from });
      return passkey;
    },

    /** Request options for the discoverable sign-in of one interaction: no email, no credential list. */
    async signInOptions(interactionUid: string, ip?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const challenge = await issueChallenge('sign_in', interactionUid, undefined, ip);
      return generateAuthenticationOptions({ rpID: rp().id, challenge, timeout: CHALLENGE_TTL_SECONDS * 1000, userVerification: 'required' });
    },

    /**
     * Verifies a sign-in answer for the interaction `interactionUid`; returns the account and the
     * passkey used. Every failure is one generic-enough sentence and counts against the IP (and the
     * account once known), as a wrong password does.
     */
    async signIn(interactionUid: string, input: unknown, ip: string): Promise<{ account: Account; passkey: Passkey; amr: string[] }> {
      const ipKey = `signin:ip:${clientAddressKey(ip)}`;
      const wait = await limiter.attempt([ipKey, SIGN_IN_LIMITS.perIp]);
      if (wait > 0) throw tooManyAttempts(wait, msg('Too many failed sign-in attempts. Reset your password, or wait.'));
      const answer = parseAnswer(authenticationAnswer, input) as AuthenticationResponseJSON;
      const challenge = await takeChallenge(answer.response.clientDataJSON, 'sign_in', interactionUid);
      const passkey = await repo.findByCredentialId(answer.id);
      const account = passkey && await accounts.findById(passkey.accountId);
      if (!passkey || !account) {
        throw new AppError('invalid_credentials', 'This passkey is not registered here: it may have been deleted. Sign in with your email and password, then add a passkey again.');
      }
      // As for passwords: growing windows per (account, address), and a wider budget per account.
      const ladder = ladderKeys(`passkey:account-ip:${account.id}:${clientAddressKey(ip)}`);
      const accountKey = `passkey:account:${account.id}`;
      const accountWait = await limiter.attempt(...ladder, [accountKey, SIGN_IN_LIMITS.perAccount]);
      if (accountWait > 0) throw tooManyAttempts(accountWait, msg('Too many failed sign-in attempts. Reset your password, or wait.'));
      if (answer.response.userHandle !== undefined && answer.response.userHandle !== Buffer.from(userHandleOf(account.id)).toString('base64url')) {
        await audit.record({ accountId: account.id, actor: 'anonymous', event: 'signin.failed', ip, data: { method: 'passkey', reason: 'user handle' } });
        throw new AppError('invalid_credentials', 'This passkey does not belong to the account it names. Sign in with your email and password.');
      }
      let used: Passkey;
      try {
        used = await verifyAssertion(answer, passkey, challenge, ip);
      } catch (error) {
        await audit.record({ accountId: account.id, actor: 'anonymous', event: 'signin.failed', ip, data: { method: 'passkey', passkey: passkey.id } });
        throw error;
      }
      for (const [key] of ladder) await limiter.reset(key);
      await limiter.refund(accountKey);
      await limiter.refund(ipKey);
      return { account, passkey: used, amr: passkeyAmr(used) };
    },

    /** Request options for re-authentication: only this account's passkeys, bound to its portal session. */
    async reauthOptions(account: Account, sessionUid: string, ip?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const existing = await repo.listByAccount(account.id);
      if (existing.length === 0) throw new AppError('not_found', 'Your account has no passkey. Confirm with your password.');
      const challenge = await issueChallenge('reauth', sessionUid, account.id, ip);
      return generateAuthenticationOptions({
        rpID: rp().id, challenge, timeout: CHALLENGE_TTL_SECONDS * 1000, userVerification: 'required',
        allowCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      });
    },

    /** Re-authentication with a passkey of `account`; returns the new sign-in time for the session. */
    async reauthenticate(account: Account, sessionUid: string, input: unknown, ip?: string): Promise<number> {
      const wait = await limiter.attempt([reauthKey(account.id), REAUTH_LIMIT]);
      if (wait > 0) throw tooManyAttempts(wait);
      const answer = parseAnswer(authenticationAnswer, input) as AuthenticationResponseJSON;
      const challenge = await takeChallenge(answer.response.clientDataJSON, 'reauth', sessionUid, account.id);
      const passkey = await repo.findByCredentialId(answer.id);
      if (!passkey || passkey.accountId !== account.id) {
        await audit.record({ accountId: account.id, actor: account.id, event: 'reauth.failed', ip, data: { method: 'passkey' } });
        throw new AppError('invalid_credentials', 'That passkey is not one of your account\'s passkeys. Use another one or your password.');
      }
      try {
        await verifyAssertion(answer, passkey, challenge, ip);
      } catch (error) {
        await audit.record({ accountId: account.id, actor: account.id, event: 'reauth.failed', ip, data: { method: 'passkey', passkey: passkey.id } });
        throw error;
      }
      await limiter.reset(reauthKey(account.id));
      await audit.record({ accountId: account.id, actor: account.id, event: 'reauth.succeeded', ip, data: { method: 'passkey' } });
      return nowSeconds();
    },

    async rename(account: Account, id: string, name: string): Promise<Passkey> {
      const passkey = await repo.findForAccount(account.id, id);
      if (!passkey || !await repo.rename(account.id, id, name)) throw new AppError('not_found', 'That passkey does not exist (it may have been deleted already).');
      await audit.record({ accountId: account.id, actor: account.id, event: 'passkey.renamed', data: { passkey: id, from: passkey.name, to: name } });
      return { ...passkey, name };
    },

    /** Deletes one passkey; refuses the last way in of an account without a password. */
    async remove(account: Account, id: string, from: SeenFrom = {}): Promise<Passkey> {
      const passkey = await repo.findForAccount(account.id, id);
      if (!passkey) throw new AppError('not_found', 'That passkey does not exist (it may have been deleted already).');
      if (!await repo.hasPassword(account.id) && await repo.countByAccount(account.id) <= 1) {
        throw new AppError('conflict', '"{{name}}" is the only way left to sign in to your account: set a password (Forgot your password?) or add another passkey before deleting it.', { params: { name: passkey.name } });
      }
      if (!await repo.delete(account.id, id)) throw new AppError('not_found', 'That passkey does not exist (it may have been deleted already).');
      await audit.record({ accountId: account.id, actor: account.id, event: 'passkey.deleted', ip: from.ip, data: { passkey: id, name: passkey.name } });
      await deps.outbox.send(account, 'passkeyRemoved', { name: account.name, passkey: passkey.name, from });
      return passkey;
    },

    /**
     * A password reset (account recovery) removes the passkeys the person ticked; returns what was
     * removed and what was kept so the reset's confirmation mail can name both. The new password exists
     * by then, so removing every passkey is allowed.
     */
    async removeForReset(accountId: string, ids: readonly string[]): Promise<{ removed: Passkey[]; kept: Passkey[] }> {
      const wanted = new Set(ids);
      const removed: Passkey[] = [];
      const kept: Passkey[] = [];
      for (const passkey of await repo.listByAccount(accountId)) {
        if (wanted.has(passkey.id) && await repo.delete(accountId, passkey.id)) {
          removed.push(passkey);
          await audit.record({ accountId, actor: accountId, event: 'passkey.deleted', data: { passkey: passkey.id, name: passkey.name, reason: 'password_reset' } });
        } else {
          kept.push(passkey);
        }
      }
      return { removed, kept };
    },

    async purgeExpiredChallenges(): Promise<number> {
      return repo.purgeExpiredChallenges(nowSeconds());
    },
  };
  return service;
}

export type PasskeyService = ReturnType<typeof passkeyService>;
