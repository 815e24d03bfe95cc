/**
 * Security headers. General ones go on every response before anything else runs (so they are on
 * oidc-provider's responses too); the strict CSP goes on every HTML page we render (`setHtml`): no
 * inline script, no framing, nothing loaded from elsewhere.
 */
import type { AppMiddleware } from './context.ts';

export const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

/** The headers every response carries, ours and oidc-provider's. */
export function generalSecurityHeaders(options: { https: boolean }): [string, string][] {
  const headers: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form posts,
    // which the CSRF origin check must refuse; same-origin still sends nothing to other sites.
    ['Referrer-Policy', 'same-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
  ];
  if (options.https) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return headers;
}

export function securityHeaders(options: { https: boolean }): AppMiddleware {
  const headers = generalSecurityHeaders(options);
  return async function securityHeadersMiddleware(ctx, next) {
    for (const [name, value] of headers) ctx.set(name, value);
    await next();
  };
}

/** Writes an HTML page with the strict CSP. Works on our context and on oidc-provider's. */
export function setHtml(ctx: { status: number; type: string; body: unknown; set(k: string, v: string): void }, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', CSP);
  ctx.body = body;
}

/** The short name route files use. */
export { setHtml as html };
