/**
 * CSRF protection for every state-changing request on our routes: a random per-browser cookie, and a
 * form token that is an HMAC of it under a server secret (so a cookie planted by a sibling domain cannot
 * be paired with a forged token). Unsafe methods must carry the token (form field `_csrf` or header
 * `X-CSRF-Token`) and, when the browser sends Origin, come from our own origin.
 *
 * Routes get it by default (route.ts); the only opt-out is `authorizationHeader`, for APIs whose caller
 * authenticates with an Authorization header: such a request carries no ambient credential a foreign
 * page could use. A request to such a route without that header is still checked.
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.ts';
import type { AppContext } from './context.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Constant-time comparison of digests, so neither the content nor the length of the sent token leaks. */
function sameToken(sent: string, expected: string): boolean {
  const digest = (v: string) => crypto.createHash('sha256').update(v).digest();
  return crypto.timingSafeEqual(digest(sent), digest(expected));
}

/** How a route is protected against cross-site requests. */
export type CsrfPolicy =
  | { kind: 'token' }
  | { kind: 'authorization-header'; why: string };

export const csrfToken: CsrfPolicy = { kind: 'token' };

/** The named opt-out: this route authenticates by `Authorization: Bearer|DPoP`, never by cookie. */
export function authorizationHeader(why: string): CsrfPolicy {
  return { kind: 'authorization-header', why };
}

export type CsrfCheck = (ctx: AppContext, policy: CsrfPolicy) => void;

export function csrfProtection(options: { secret: string; issuer: string; secure: boolean }): CsrfCheck {
  const cookieName = options.secure ? '__Host-lk_csrf' : 'lk_csrf';
  const origin = new URL(options.issuer).origin;
  const sign = (value: string) => crypto.createHmac('sha256', options.secret).update(value).digest('base64url');
  return function csrf(ctx, policy) {
    if (policy.kind === 'authorization-header' && /^(Bearer|DPoP) /i.test(ctx.get('Authorization'))) return;
    let cookie = ctx.cookies.get(cookieName);
    if (!cookie || !/^[A-Za-z0-9_-]{32,64}$/.test(cookie)) {
      cookie = crypto.randomBytes(24).toString('base64url');
      ctx.cookies.set(cookieName, cookie, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', overwrite: true });
    }
    ctx.state.csrfToken = sign(cookie);
    if (!SAFE.has(ctx.method)) {
      const sentOrigin = ctx.get('Origin');
      if (sentOrigin && sentOrigin !== origin) {
        throw new AppError('csrf_failed', 'This form was sent from another site and was refused. Reload the page and try again.');
      }
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? ctx.get('X-CSRF-Token');
      if (!sent || !sameToken(sent, ctx.state.csrfToken)) {
        throw new AppError('csrf_failed', 'Your session for this form expired. Reload the page and try again.');
      }
    }
  };
}
