/**
 * oidc-provider's answer when the store or Redis does not answer (issue 20): 503 with Retry-After and
 * `temporarily_unavailable` (RFC 6749's code for "try later"), never its generic 500 `server_error`.
 * Two places see such failures: the library's own error handlers (they emit `server_error` with the
 * error after setting the status and, for JSON, the body; the error page is drawn by `renderError`,
 * pages.tsx), and our middleware around it (API key introspection, session activity), whose errors would
 * otherwise reach Koa's bare 500.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DEPENDENCY_RETRY_AFTER_SECONDS, dependencyUnavailable, isDependencyFailure } from '../errors.ts';
import { log } from '../log.ts';

function answer503(ctx: KoaContextWithOIDC, error: unknown, replaceBody: boolean): void {
  ctx.status = 503;
  ctx.set('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  if (replaceBody) ctx.body = { error: 'temporarily_unavailable', error_description: dependencyUnavailable().message };
  log.warn(`${ctx.method} ${ctx.path}: 503, a dependency did not answer: ${(error as Error)?.message ?? String(error)}`);
}

/** Call first on a new provider: the middleware must be the outermost of ours. */
export function answerDependencyFailures(provider: Provider): void {
  provider.use(async function dependencyFailures(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (!isDependencyFailure(error)) throw error;
      answer503(ctx as KoaContextWithOIDC, error, true);
    }
  });
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    if (!isDependencyFailure(error)) return;
    // A JSON answer is already in place: make it say "later". An HTML one is drawn after this event
    // (authorization endpoint) or was drawn before it with a status that is corrected here.
    const body = ctx.body as { error?: string } | undefined;
    answer503(ctx, error, typeof body === 'object' && body !== null && body.error === 'server_error');
  });
}
