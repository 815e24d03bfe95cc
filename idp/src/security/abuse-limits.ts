/**
 * Limits on what costs other people something: mail the IdP sends from its own address (invitations,
 * confirmation and reset links, sign-up notices) and databases people create. Guessing defences
 * (passwords, codes) are elsewhere (account-service.ts SIGN_IN_LIMITS, two-factor-service.ts).
 *
 * Invariants:
 * - Counters live in the rate limiter (the store, or Redis with IDP_REDIS_URL), so every limit holds
 *   across workers, instances and restarts. Pending invitations are counted in the store itself.
 * - A refused request answers 429 with `Retry-After` (seconds) and a sentence that says what the limit is
 *   and when to try again (`refuseOverLimit`); forms draw themselves again with it, APIs send it as JSON.
 * - Per-address limits count whether or not the address has an account, so a 429 tells nothing about
 *   who has one (no account enumeration).
 * - The README's table of limits is generated from this file (`limitsTable`) and a test keeps them equal.
 */
import { AppError, type Sentence } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { Limit, RateLimiter } from './rate-limiter.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

export interface AbuseLimit extends Limit {
  /** What is counted, for the README ("Invitations mailed per database"). */
  what: string;
  /** The first sentence of the refusal. */
  says: string;
}

/** One limit a line: what is counted, how many, over which window, and what the refusal says. */
export const ABUSE_LIMITS = {
  databaseCreationsPerAccount: { what: 'Databases created in the portal, per account', max: 5, windowSeconds: DAY, says: msg('You created 5 databases in the last 24 hours, the most an account may create in a day.') },
  invitationsPerDatabase: { what: 'Invitations mailed, per database (portal, database API)', max: 20, windowSeconds: DAY, says: msg('This database sent 20 invitations in the last 24 hours, the most a database may send in a day.') },
  invitationsPerOwner: { what: 'Invitations mailed, per owner over all their databases', max: 50, windowSeconds: DAY, says: msg('The databases of this owner sent 50 invitations in the last 24 hours, the most an owner may send in a day.') },
  signUpsPerAddress: { what: 'Sign-ups, per email address (confirmation link or "someone tried" notice)', max: 3, windowSeconds: HOUR, says: msg('Too many sign-ups were asked for with this email address.') },
  signUpsPerIp: { what: 'Sign-ups, per IP address', max: 20, windowSeconds: HOUR, says: msg('Too many sign-ups from your network.') },
  resetMailsPerAddress: { what: 'Password reset requests, per email address', max: 5, windowSeconds: HOUR, says: msg('Too many password resets were asked for with this email address.') },
  resetMailsPerIp: { what: 'Password reset requests, per IP address', max: 50, windowSeconds: HOUR, says: msg('Too many password resets were asked for from your network.') },
  emailChangeMailsPerAccount: { what: 'Email changes asked for (a link to the new address), per account', max: 5, windowSeconds: HOUR, says: msg('Too many email changes were asked for.') },
  confirmationMailsPerAccount: { what: 'Confirmation links mailed again, per account', max: 5, windowSeconds: HOUR, says: msg('We already sent you 5 confirmation links in the last hour.') },
} as const satisfies Record<string, AbuseLimit>;

/** Invitations waiting for an answer (not yet accepted, declined, withdrawn or expired). */
export const PENDING_INVITATIONS = {
  perDatabase: { what: 'Pending invitations, per database', max: 50 },
  perOwner: { what: 'Pending invitations, per owner over all their databases', max: 200 },
} as const;

/** "Try again in 3 minutes.", "… 5 hours.", "… 2 days.": when to try again, rounded up. */
export function tryAgainIn(seconds: number): Sentence {
  if (seconds <= 90 * 60) return { key: msg('Try again in {{count}} minutes.'), params: { count: Math.max(1, Math.ceil(seconds / 60)) } };
  if (seconds <= 36 * HOUR) return { key: msg('Try again in {{count}} hours.'), params: { count: Math.ceil(seconds / HOUR) } };
  return { key: msg('Try again in {{count}} days.'), params: { count: Math.ceil(seconds / DAY) } };
}

/** The 429 of every limit here: the limit's sentence, when to try again, and Retry-After. */
export function overLimit(says: string, waitSeconds: number): AppError {
  const wait = Math.max(1, Math.ceil(waitSeconds));
  return new AppError('too_many_requests', says, { followedBy: tryAgainIn(wait), headers: { 'Retry-After': String(wait) } });
}

/**
 * Counts one event on every key (atomically, see RateLimiter.attempt) and throws `overLimit` with the
 * sentence of the limit that waits longest when any is now over. Call it right before the work it
 * limits, after the checks that may refuse the request for another reason.
 */
export async function refuseOverLimit(limiter: RateLimiter, keys: [key: string, limit: AbuseLimit][]): Promise<void> {
  const wait = await limiter.attempt(...keys.map(([key, limit]): [string, Limit] => [key, limit]));
  if (wait === 0) return;
  // Which one refused: the longest wait among the keys now over their limit.
  let says = keys[0]![1].says;
  let longest = -1;
  for (const [key, limit] of keys) {
    const left = await limiter.retryAfter(key, limit);
    if (left > longest) {
      longest = left;
      says = limit.says;
    }
  }
  throw overLimit(says, wait);
}

function windowInWords(seconds: number): string {
  return seconds === HOUR ? '1 hour' : seconds === DAY ? '24 hours' : `${seconds} s`;
}

/** The README's table of these limits (Markdown). */
export function limitsTable(): string {
  const rows = [
    ...Object.values(ABUSE_LIMITS).map((l) => `| ${l.what} | ${l.max} | ${windowInWords(l.windowSeconds)} |`),
    ...Object.values(PENDING_INVITATIONS).map((l) => `| ${l.what} | ${l.max} | until answered, withdrawn or expired (14 days) |`),
  ];
  return ['| What | Limit | Window |', '| --- | --- | --- |', ...rows].join('\n');
}
