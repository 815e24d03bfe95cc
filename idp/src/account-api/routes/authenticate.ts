/**
 * Who calls the account API (`/api/v1`). Two credentials, both in the Authorization header (never a
 * cookie, so these routes need no CSRF token):
 *
 * - `Bearer <API key>`: scripts. A `read` key may only GET; keys carry no sign-in time, so the key
 *   itself is the proof for sensitive actions (its owner re-authenticated to create or rotate it).
 * - `DPoP <access token>` with a `DPoP` proof: the browser extension. See dpop.ts.
 *
 * Failed attempts are counted per IP; past the limit the answer is 429 before any lookup.
 */
import { countRejection } from '../../security/rate-limit-metrics.ts';
import { AppError, isDependencyFailure } from '../../errors.ts';
import { msg } from '../../i18n/translator.ts';
import type { AppContext } from '../../http/context.ts';
import { authorizationHeader } from '../../http/csrf.ts';
import { defineGuard, type Guard } from '../../http/route.ts';
import { looksLikeApiKey } from '../../apikeys/api-key-service.ts';
import { confirmFirst } from '../../accounts/account-service.ts';
import { REAUTH_MAX_AGE_SECONDS } from '../../../../shared/account-api.ts';
import { nowSeconds } from '../../clock.ts';
import { clientAddressKey } from '../../security/client-address.ts';
import { verifyDpop } from '../dpop.ts';

export type ApiCaller =
  | { via: 'api_key'; accountId: string; keyId: string; scope: 'read' | 'read-write'; databases: string[] | null }
  | { via: 'access_token'; accountId: string; authTime: number | undefined; scope: 'read-write'; sessionUid: string | undefined };

declare module '../../http/context.ts' {
  interface AppState {
    apiCaller?: ApiCaller;
  }
}

const FAILURE_LIMIT = { max: 60, windowSeconds: 10 * 60 };

/** `message`: a catalog key (marked with msg), said in the request's language by the error handler. */
function unauthorized(message: string, scheme = 'Bearer', extra = ''): AppError {
  return new AppError('unauthorized', message, { headers: { 'WWW-Authenticate': `${scheme} realm="latchkey"${extra}` } });
}

/**
 * The caller of the account API: `apiCaller('read')` lets any valid credential in, `apiCaller('write')`
 * only a read-write one. Sets `ctx.state.apiCaller`.
 */
export function apiCaller(access: 'read' | 'write'): Guard {
  return defineGuard(`api-caller:${access}`, async (ctx, deps) => {
    // The failure count degrades to this process when Redis is down; the DPoP replay check does not.
    const { limiter, apiFailureLimiter, apiKeys } = ctx.state.services;
    const failureKey = `api:auth-fail:${clientAddressKey(ctx.ip)}`;
    const wait = await apiFailureLimiter.retryAfter(failureKey, FAILURE_LIMIT);
    if (wait > 0) countRejection(failureKey);
    if (wait > 0) throw new AppError('too_many_requests', 'Too many failed attempts. Try again in {{count}} minute(s).', { params: { count: Math.ceil(wait / 60) }, headers: { 'Retry-After': String(wait) } });

    const header = ctx.get('Authorization');
    const match = /^(Bearer|DPoP) ([\x21-\x7e]{1,4096})$/i.exec(header);
    if (!match) throw unauthorized(msg('Send an API key as "Authorization: Bearer <key>", or a DPoP-bound access token.'));
    const [, scheme, token] = match as unknown as [string, string, string];

    if (scheme.toLowerCase() === 'bearer') {
      const key = looksLikeApiKey(token) ? await apiKeys.authenticate(token, ctx.ip || null) : undefined;
      if (!key) {
        await apiFailureLimiter.hit(failureKey, FAILURE_LIMIT);
        throw unauthorized(msg('This API key is not valid: it may have expired or been revoked.'), 'Bearer', ', error="invalid_token"');
      }
      ctx.state.apiCaller = { via: 'api_key', accountId: key.accountId, keyId: key.id, scope: key.scope, databases: key.databases };
    } else {
      const verified = await verifyDpop({ method: ctx.method, path: ctx.path, dpop: ctx.req.headers.dpop }, {
        issuer: deps.issuer, db: ctx.state.services.db, box: ctx.state.services.box, limiter,
        sessionIsLive: async (uid) => Boolean(await deps.providers.get().Session.findByUid(uid)),
      }, token).catch(async (error: unknown) => {
        // A store that did not answer is not a failed attempt of the caller's.
        if (!isDependencyFailure(error)) await apiFailureLimiter.hit(failureKey, FAILURE_LIMIT);
        throw error;
      });
      ctx.state.apiCaller = { via: 'access_token', accountId: verified.sub, authTime: verified.authTime, scope: 'read-write', sessionUid: verified.sessionUid };
    }
    const account = await ctx.state.services.accounts.findById(ctx.state.apiCaller.accountId);
    if (!account) throw unauthorized(msg('This account no longer exists.'), scheme, ', error="invalid_token"');
    // An unconfirmed account can do nothing but confirm its address (API keys of one never verify).
    if (!account.emailVerifiedAt) throw confirmFirst(account.email);
    if (access === 'write' && ctx.state.apiCaller.scope === 'read') {
      throw new AppError('forbidden', 'This API key is read-only: it can only read (GET).', {
        headers: { 'WWW-Authenticate': 'Bearer realm="latchkey", error="insufficient_scope", scope="read-write"' },
      });
    }
    return true;
  });
}

/**
 * What an API key may read at the account API (README, "Account API"): the signed-in person (a DPoP
 * access token) and a read-write key for every database see the whole account. A read-only key sees the
 * security status, the databases and itself, not the devices (with their IP addresses) nor the other
 * keys. A key limited to some databases sees only those databases and itself: not the status, devices
 * or other keys. A leaked narrow key must not map the whole account.
 */
export type ApiReach = 'account' | 'read' | 'databases';

export function reachOf(caller: ApiCaller): ApiReach {
  if (caller.via === 'access_token') return 'account';
  if (caller.databases !== null) return 'databases';
  return caller.scope === 'read-write' ? 'account' : 'read';
}

/** Only callers that see the whole account: devices and their IP addresses, the activity, signing devices out. */
export const accountWide = defineGuard('api-reach:account', async (ctx) => {
  if (reachOf(ctx.state.apiCaller!) !== 'account') {
    throw new AppError('forbidden', 'This API key cannot see account-wide data (devices, activity): only a read-write key for every database, or the signed-in person, can.');
  }
  return true;
});

/** Not a key limited to some databases: the account's security status. */
export const notDatabaseLimited = defineGuard('api-reach:not-database-limited', async (ctx) => {
  if (reachOf(ctx.state.apiCaller!) === 'databases') {
    throw new AppError('forbidden', 'This API key is limited to some databases: it can read those databases and itself, not the security status of the account.');
  }
  return true;
});

/** The one CSRF opt-out of the account API, named in each of its declarations. */
export const apiCsrf = authorizationHeader('the account API authenticates by an API key or a DPoP access token in the Authorization header, never by cookie');

/** `recent-sign-in` for the account API: `assertRecentUserAuth` as a declared guard (after the input is read). */
export const recentUserAuth = defineGuard('recent-sign-in', async (ctx) => {
  assertRecentUserAuth(ctx);
  return true;
}, 'confirm');

/**
 * Sensitive actions by an access token need a sign-in within REAUTH_MAX_AGE_SECONDS, else the RFC 9470
 * step-up challenge. API keys pass: their owner re-authenticated to create or rotate them.
 */
export function assertRecentUserAuth(ctx: AppContext): void {
  const caller = ctx.state.apiCaller!;
  if (caller.via === 'api_key') return;
  if (caller.authTime !== undefined && nowSeconds() - caller.authTime <= REAUTH_MAX_AGE_SECONDS) return;
  throw new AppError('reauthentication_required', 'Sign in again to do this: your last sign-in is more than 10 minutes old.', {
    headers: { 'WWW-Authenticate': `DPoP realm="latchkey", error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=${REAUTH_MAX_AGE_SECONDS}` },
  });
}

/**
 * An API key may rotate or revoke only itself: a key limited to some databases (or read-write on one
 * database) must not be able to take over the secret of a wider key. The person (access token) may
 * manage every key.
 */
export function assertMayManageKey(ctx: AppContext, keyId: string): void {
  const caller = ctx.state.apiCaller!;
  if (caller.via === 'api_key' && caller.keyId !== keyId) {
    throw new AppError('forbidden', 'An API key can only rotate or revoke itself. Manage other keys on the API keys page of your account.');
  }
}

/**
 * The live IdP session the caller signed in through (the browser the extension runs in), from the
 * access token's `sid`; undefined once that session ended. API keys have none.
 */
export async function callerSessionUid(ctx: AppContext): Promise<string | undefined> {
  const caller = ctx.state.apiCaller!;
  if (caller.via !== 'access_token' || !caller.sessionUid) return undefined;
  return await ctx.state.services.security.sessions.hasSession(caller.accountId, caller.sessionUid) ? caller.sessionUid : undefined;
}
