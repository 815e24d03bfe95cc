/**
 * Shared middleware: the one error handler, security headers, the session loader, and guards
 * (signed-in user, CSRF, API key with scope). Routes declare their guards next to the handler.
 */
import crypto from 'node:crypto';
import type { Context, Next, ParameterizedContext } from 'koa';
import type { z } from 'zod';
import { AppError, toAppError } from './errors.ts';
import type { IdpClient } from './idp-client.ts';
import { ErrorPage, renderPage } from './pages.tsx';
import type { SessionRow, UserRow } from './repository.ts';
import type { DatabaseService } from './service.ts';

export const SESSION_COOKIE = 'rdb_session';

export interface AppState {
  session: SessionRow | null;
  user: UserRow | null;
  apiKey: { sub: string; scopes: Set<string>; user: UserRow } | null;
}

export type AppContext = ParameterizedContext<AppState>;

export interface HttpDeps {
  dbName: string;
  publicUrl: URL;
  issuer: URL;
  service: DatabaseService;
  idp: IdpClient;
  log: (message: string, detail?: unknown) => void;
}

function wantsJson(ctx: Context) {
  return ctx.path.startsWith('/api/') || ctx.path === '/backchannel-logout';
}

const titles: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed',
  502: 'Sign-in service unavailable',
};

export function errorHandler(deps: HttpDeps) {
  return async function handleErrors(ctx: AppContext, next: Next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', 'This page does not exist.');
      if ((ctx.status === 405 || ctx.status === 501) && !ctx.body) {
        throw new AppError('method_not_allowed', `This address does not accept ${ctx.method} requests (allowed: ${ctx.response.get('Allow') || 'none'}).`);
      }
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.status >= 500 || error.code === 'sign_in_failed') deps.log(`${ctx.method} ${ctx.path} -> ${error.status} ${error.code}: ${error.message}`, error.detail ?? thrown);
      ctx.status = error.status;
      ctx.set('Cache-Control', 'no-store');
      if (error.code === 'invalid_token' || error.code === 'unauthorized') {
        if (wantsJson(ctx)) ctx.set('WWW-Authenticate', `Bearer error="invalid_token"`);
      }
      if (error.code === 'insufficient_scope') ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope"`);
      if (wantsJson(ctx)) {
        ctx.body = { error: error.code, message: error.message };
      } else {
        ctx.type = 'html';
        ctx.body = renderPage(
          <ErrorPage dbName={deps.dbName} title={titles[error.status] ?? 'Something went wrong'} message={error.message} status={error.status} />,
        );
      }
    }
  };
}

export function securityHeaders(deps: HttpDeps) {
  const formTargets = `'self' ${deps.issuer.origin}`;
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${formTargets}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return async function setSecurityHeaders(ctx: AppContext, next: Next) {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    await next();
  };
}

/** Loads the browser session (if any) into ctx.state. */
export function loadSession(deps: HttpDeps) {
  return async function sessionLoader(ctx: AppContext, next: Next) {
    ctx.state.session = null;
    ctx.state.user = null;
    ctx.state.apiKey = null;
    const secret = ctx.cookies.get(SESSION_COOKIE);
    if (secret && /^[A-Za-z0-9_-]{43}$/.test(secret)) {
      const found = deps.service.findSession(secret);
      if (found) {
        ctx.state.session = found.session;
        ctx.state.user = found.user;
      }
    }
    await next();
  };
}

export function setSessionCookie(ctx: AppContext, deps: HttpDeps, secret: string | null, expiresAt?: number) {
  const secure = deps.publicUrl.protocol === 'https:';
  // The app may sit behind a TLS-terminating proxy; trust the configured public URL, not the socket.
  if (secure) ctx.cookies.secure = true;
  ctx.cookies.set(SESSION_COOKIE, secret ?? '', {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    overwrite: true,
    ...(secret === null ? { maxAge: 0, expires: new Date(0) } : { expires: new Date(expiresAt!) }),
  });
}

/** Ensures there is a session (anonymous if need be) so forms can carry a CSRF token. */
export function ensureSession(ctx: AppContext, deps: HttpDeps): SessionRow {
  if (ctx.state.session) return ctx.state.session;
  const { secret, session } = deps.service.startAnonymousSession();
  setSessionCookie(ctx, deps, secret, session.expires_at);
  ctx.state.session = session;
  return session;
}

export function requireUser() {
  return async function requireSignedInUser(ctx: AppContext, next: Next) {
    if (!ctx.state.user || !ctx.state.session) {
      ctx.redirect(`/login?return_to=${encodeURIComponent(ctx.path)}`);
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

function safeEqual(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** Checks the `csrf` form field against the session's token (and the Origin header when sent). */
export function requireCsrf(deps: HttpDeps) {
  return async function checkCsrf(ctx: AppContext, next: Next) {
    const origin = ctx.get('Origin');
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.csrf === 'string' ? body.csrf : '';
    const session = ctx.state.session;
    if ((origin && origin !== 'null' && origin !== deps.publicUrl.origin) || !session || !token || !safeEqual(token, session.csrf_token)) {
      throw new AppError('csrf_failed', 'This form has expired or did not come from this site. Reload the page and try again.');
    }
    await next();
  };
}

export function requireApiKey(deps: HttpDeps, scope: 'read' | 'read-write') {
  return async function checkApiKey(ctx: AppContext, next: Next) {
    ctx.set('Cache-Control', 'no-store');
    const header = ctx.get('Authorization');
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    if (!match) {
      throw new AppError('unauthorized', 'Send your API key as "Authorization: Bearer <API key>".');
    }
    const answer = await deps.idp.introspectApiKey(match[1]!);
    if (!answer.active) {
      throw new AppError('invalid_token', 'This API key is not valid: it may have expired, been revoked, or belong to another database.');
    }
    const allowed = scope === 'read' ? answer.scopes.has('read') || answer.scopes.has('read-write') : answer.scopes.has('read-write');
    if (!allowed) {
      throw new AppError('insufficient_scope', `This API key cannot do that: it needs the "${scope}" scope.`);
    }
    const user = deps.service.userForApiKey({ sub: answer.sub, login: answer.login ?? answer.sub, role: answer.role });
    ctx.state.apiKey = { sub: answer.sub, scopes: answer.scopes, user };
    await next();
  };
}

/** Validates input with a zod schema; the first problem becomes a 400 with a readable message. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError('bad_request', issue.message, result.error);
  }
  return result.data;
}
