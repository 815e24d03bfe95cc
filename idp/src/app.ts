/**
 * Koa wiring, no logic. Every request first passes the transport rule (http/transport.ts: content
 * encoding, Host, NUL and invalid UTF-8, body size), ours and oidc-provider's alike; a refusal is an
 * OAuth error body on oidc-provider's OAuth endpoints and our error page or JSON elsewhere. Then one
 * matcher (route-table.ts, http/route.ts) decides each request once: our route gets body parsing, CSRF,
 * its guards and our error boundary; a known path with another method gets 405; everything else goes to
 * oidc-provider (which parses and protects its own endpoints), as in its Koa example with interaction
 * routes first. Requests for oidc-provider skip our Koa context (its own app makes one): they get the
 * general security headers straight on the response.
 *
 * Signing keys are re-checked at most once a second, and a request waits for that check at most
 * KEY_CHECK_WAIT_MS: with the store slow or down, discovery, JWKS and everything else served from
 * memory keep answering with the last known keys.
 */
import type http from 'node:http';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { AppState, RouteDeps } from './http/context.ts';
import { csrfProtection } from './http/csrf.ts';
import { errorHandler, errorPage } from './http/error-handler.tsx';
import { decideLanguage } from './http/language.ts';
import { isOAuthPath, needsBodyScreening, screenBody, screenHead, type TransportRefusal } from './http/transport.ts';
import { AppError, DEPENDENCY_RETRY_AFTER_SECONDS, isDependencyFailure } from './errors.ts';
import { createMatcher, routeRunner, type Match } from './http/route.ts';
import { generalSecurityHeaders, securityHeaders } from './http/security-headers.ts';
import { log } from './log.ts';
import { observeRequest } from './http/access-log.ts';
import { noteRoute, REFUSED_ROUTE, withRequestContext, WRONG_METHOD_ROUTE } from './observability/request-context.ts';
import { withRequestOrigin } from './activity/request-origin.ts';
import { routeTable } from './route-table.ts';
import type { Services } from './services.ts';
import { cookieSecrets, csrfSecret } from './storage/server-settings.ts';

declare module './http/context.ts' {
  // The composition root names the service bag that http/ only knows as `AppServices`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppServices extends Services {}
}

export interface AppOptions {
  issuer: string;
  services: Services;
  extensionRedirectUris?: string[];
}

/**
 * What `handleRequest` decided, handed to our Koa app with the request (so it is not matched twice): our
 * route, our path with another method, or a transport refusal to answer with our error page.
 */
const matches = new WeakMap<http.IncomingMessage, Match | 'wrong-method' | { refused: AppError }>();

/** How long a request waits for the once-a-second signing-key check before it is served with the keys it has. */
const KEY_CHECK_WAIT_MS = 250;

function refusalError(refusal: TransportRefusal): AppError {
  const code = refusal.status === 415 ? 'unsupported_media_type' : 'bad_request';
  return new AppError(code, refusal.message, { headers: refusal.headers });
}

export async function buildApp(options: AppOptions) {
  const { issuer, services } = options;
  const secure = issuer.startsWith('https:');
  const { providers } = services;
  await providers.ready();
  const deps: RouteDeps = { providers, issuer, secure };
  const match = createMatcher(routeTable);

  // Behind a proxy, trust only the address the nearest proxy saw (the rightmost X-Forwarded-For
  // entry): the leftmost ones are whatever the client wrote, and per-IP limits and logs depend on it.
  const app = new Koa<AppState>({ proxy: services.config.trustProxy, maxIpsCount: 1 });
  app.keys = await cookieSecrets(services.db, services.box);
  app.silent = true;
  const csrf = csrfProtection({ secret: await csrfSecret(services.db, services.box), issuer, secure });
  const parseBody = bodyParser({ enableTypes: ['form', 'json'], formLimit: '64kb', jsonLimit: '64kb', encoding: 'utf-8' });
  const runRoute = routeRunner(deps, csrf);

  // The key check of this second, bounded: a store that does not answer leaves the provider as it is.
  async function refreshKeys(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const check = providers.refresh().catch(() => {});
    await Promise.race([check, new Promise<void>((resolve) => (timer = setTimeout(resolve, KEY_CHECK_WAIT_MS)))]);
    clearTimeout(timer);
  }

  app.use(securityHeaders({ https: secure }));
  app.use(async function dispatch(ctx) {
    const matched = matches.get(ctx.req);
    decideLanguage(ctx, services.config.locales);
    if (typeof matched === 'object' && 'refused' in matched) {
      errorPage(ctx, matched.refused); // malformed transport: no body parsing, no CSRF, nothing logged
      return;
    }
    await refreshKeys();
    if (matched === undefined || matched === 'wrong-method') {
      ctx.status = 405;
      ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed here.` };
      return;
    }
    ctx.state.services = services;
    await withRequestOrigin({ ip: ctx.ip, userAgent: ctx.get('user-agent') }, () => errorHandler(ctx, async () => {
      await parseBody(ctx, async () => {
        await runRoute(ctx, matched);
      });
    }));
  });

  // The server's request handler: the one place a request is matched.
  const ourCallback = app.callback();
  const providerHeaders = generalSecurityHeaders({ https: secure });
  const screening = { trustProxy: services.config.trustProxy };

  /** A transport refusal: an OAuth error body on oidc-provider's OAuth endpoints, our page or JSON elsewhere. */
  function refuse(req: http.IncomingMessage, res: http.ServerResponse, refusal: TransportRefusal): void {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0]!;
    const ours = pathname.startsWith('/') && match(pathname, req.method ?? 'GET').kind !== 'none';
    if (!ours && isOAuthPath(pathname)) {
      noteRoute(REFUSED_ROUTE);
      for (const [name, value] of providerHeaders) res.setHeader(name, value);
      res.writeHead(refusal.status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...refusal.headers });
      res.end(JSON.stringify({ error: 'invalid_request', error_description: refusal.message }));
      return;
    }
    noteRoute(REFUSED_ROUTE);
    matches.set(req, { refused: refusalError(refusal) });
    void ourCallback(req, res);
  }

  // Behind a proxy without IDP_TRUST_PROXY every client has the proxy's address and shares its per-IP
  // limits: say so once, in production, when a request shows a proxy was in the way.
  let proxyWarned = !services.config.production || services.config.trustProxy;

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Everything that runs for this request, ours or oidc-provider's, runs with its id and route.
    const context = observeRequest(req, res, services.config.trustProxy);
    withRequestContext(context, () => dispatchRequest(req, res));
  }

  function dispatchRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!proxyWarned && req.headers['x-forwarded-for'] !== undefined) {
      proxyWarned = true;
      log.warn('requests arrive with X-Forwarded-For but IDP_TRUST_PROXY is off: every client behind the proxy shares one address, '
        + 'so per-IP sign-in, sign-up and API limits count them together; set IDP_TRUST_PROXY=1 if a reverse proxy you run sets it');
    }
    const refusal = screenHead(req, screening);
    if (refusal) {
      refuse(req, res, refusal);
      return;
    }
    if (!needsBodyScreening(req)) {
      route(req, res);
      return;
    }
    screenBody(req).then(
      (screened) => (screened.ok ? route(screened.req, res) : refuse(screened.req, res, screened.refusal)),
      (error: unknown) => {
        log.warn('reading a request body failed', { err: error });
        if (!res.headersSent) res.writeHead(400).end();
      },
    );
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const result = pathname.startsWith('/') ? match(pathname, method) : { kind: 'wrong-method' as const };
    if (result.kind === 'route' || (result.kind === 'wrong-method' && method !== 'OPTIONS')) {
      noteRoute(result.kind === 'route' ? result.match.route.path : WRONG_METHOD_ROUTE);
      matches.set(req, result.kind === 'route' ? result.match : 'wrong-method');
      void ourCallback(req, res);
      return;
    }
    for (const [name, value] of providerHeaders) res.setHeader(name, value);
    // Signing keys may have been rotated by another process or instance: at most one check a second.
    refreshKeys().then(() => providers.callback()(req, res)).catch((error: unknown) => {
      log.error('request failed', { err: error });
      if (res.headersSent) return;
      if (isDependencyFailure(error)) res.writeHead(503, { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) }).end();
      else res.writeHead(500).end();
    });
  }
  return { app, providers, handleRequest };
}
