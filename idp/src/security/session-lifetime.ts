/**
 * The absolute lifetime of an IdP session (ASVS 7.3.2): SESSION_MAX_AGE_SECONDS after its sign-in
 * (oidc-provider's `loginTs`, which a re-authentication moves forward), however often it is used.
 *
 * oidc-provider re-saves a session with a fresh TTL at the end of every /auth request that loads it, so
 * a fixed `ttl.Session` is only an idle window that single sign-on keeps resetting. Three places hold
 * the bound instead:
 * - `sessionTtl` is `ttl.Session` (oidc/provider.ts): each save stores the session only until the bound;
 * - `isPastSessionLifetime` is checked by the portal (`signedIn`, portal/portal-session.ts) and by the
 *   authorization endpoint (`signInAgainAfterLifetime`, a check of the login prompt) for a session that
 *   is still stored past it (one saved before the bound existed, or a clock moved forward): the portal
 *   treats it as signed out, /auth asks for the sign-in again (login_required with prompt=none).
 * There is no inactivity timeout yet (README, "Sessions").
 */
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { nowSeconds } from '../clock.ts';

/** 14 days: how long a sign-in lasts (README, "Sessions"). */
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 3600;

/** Seconds the session signed in at `loginTs` may still be used (≤ 0: past the bound). */
export function sessionSecondsLeft(loginTs: number | undefined, now = nowSeconds()): number {
  if (typeof loginTs !== 'number') return SESSION_MAX_AGE_SECONDS; // nobody signed in yet
  return SESSION_MAX_AGE_SECONDS - (now - loginTs);
}

/** A signed-in session whose sign-in is older than the bound (no `loginTs` counts as past: fail closed). */
export function isPastSessionLifetime(loginTs: number | undefined, now = nowSeconds()): boolean {
  return typeof loginTs !== 'number' || sessionSecondsLeft(loginTs, now) <= 0;
}

/**
 * The TTL oidc-provider saves a session with: what is left of its lifetime. A session past it is kept
 * (unusable) for `signInAgainSeconds` when this request started the sign-in that renews it, since
 * oidc-provider resumes that sign-in only on the same session; otherwise for 1 second.
 */
export function sessionTtl(loginTs: number | undefined, signingInAgain: boolean, signInAgainSeconds: number, now = nowSeconds()): number {
  const left = sessionSecondsLeft(loginTs, now);
  if (left > 0) return left;
  return signingInAgain ? signInAgainSeconds : 1;
}

type Policy = ReturnType<typeof interactionPolicy.base>;

/** The login prompt asks for the sign-in again when the session is past its lifetime. */
export function signInAgainAfterLifetime(policy: Policy): Policy {
  const { Check } = interactionPolicy;
  policy.get('login')!.checks.add(new Check('session_lifetime', 'the sign-in is older than the session lifetime', 'login_required', (ctx: KoaContextWithOIDC) => {
    const { session, result } = ctx.oidc;
    if (!session?.accountId || result?.login) return Check.NO_NEED_TO_PROMPT;
    return isPastSessionLifetime(session.loginTs) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  return policy;
}
