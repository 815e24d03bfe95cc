/**
 * CSRF protection for every state-changing request on our routes: a random per-browser cookie, and a
 * form token that is an HMAC of it under a server secret (so a cookie planted by a sibling domain cannot
 * be paired with a forged token). Unsafe methods must carry the token (form field `_csrf` or header
 * `X-CSRF-Token`) and, when the browser sends Origin, come from our own origin.
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.ts';
import { safeEqual } from '../security/tokens.ts';
import type { AppMiddleware } from './context.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfProtection(options: { secret: string; issuer: string; secure: boolean }): AppMiddleware {
  const cookieName = options.secure ? '__Host-lk_csrf' : 'lk_csrf';
  const origin = new URL(options.issuer).origin;
  const sign = (value: string) => crypto.createHmac('sha256', options.secret).update(value).digest('base64url');
  return async function csrf(ctx, next) {
    // API calls authenticated by an Authorization header carry no ambient credential a foreign page
    // could use, so they need no CSRF token (their handlers ignore cookies).
    if (ctx.path.startsWith('/api/') && /^(Bearer|DPoP) /i.test(ctx.get('Authorization'))) {
      await next();
      return;
    }
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
      if (!sent || !safeEqual(sent, ctx.state.csrfToken)) {
        throw new AppError('csrf_failed', 'Your session for this form expired. Reload the page and try again.');
      }
    }
    await next();
  };
}
