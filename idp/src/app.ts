/**
 * Koa wiring, no logic. One matcher (route-table.ts, http/route.ts) decides each request once: our
 * route gets body parsing, CSRF, its guards and our error boundary; a known path with another method
 * gets 405; everything else goes to oidc-provider (which parses and protects its own endpoints), as in
 * its Koa example with interaction routes first. Requests for oidc-provider skip our Koa context (its
 * own app makes one): they get the general security headers straight on the response.
 */
import type http from 'node:http';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { AppState, RouteDeps } from './http/context.ts';
import { csrfProtection } from './http/csrf.ts';
import { errorHandler } from './http/error-handler.tsx';
import { createMatcher, routeRunner, type Match } from './http/route.ts';
import { generalSecurityHeaders, securityHeaders } from './http/security-headers.ts';
import { log } from './log.ts';
import { routeTable } from './route-table.ts';
import type { Services } from './services.ts';
import { cookieSecrets, getOrCreateSetting } from './storage/server-settings.ts';

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

/** The match `handleRequest` made, handed to our Koa app with the request (so it is not matched twice). */
const matches = new WeakMap<http.IncomingMessage, Match | 'wrong-method'>();

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
  app.keys = await cookieSecrets(services.db);
  app.silent = true;
  const csrf = csrfProtection({ secret: await getOrCreateSetting(services.db, 'csrf_secret', () => crypto.randomUUID() + crypto.randomUUID()), issuer, secure });
  const parseBody = bodyParser({ enableTypes: ['form', 'json'], formLimit: '64kb', jsonLimit: '64kb', encoding: 'utf-8' });
  const runRoute = routeRunner(deps, csrf);

  app.use(securityHeaders({ https: secure }));
  app.use(async function dispatch(ctx) {
    await providers.refresh();
    const matched = matches.get(ctx.req);
    if (matched === undefined || matched === 'wrong-method') {
      ctx.status = 405;
      ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed here.` };
      return;
    }
    ctx.state.services = services;
    await errorHandler(ctx, async () => {
      await parseBody(ctx, async () => {
        await runRoute(ctx, matched);
      });
    });
  });

  // The server's request handler: the one place a request is matched.
  const ourCallback = app.callback();
  const providerHeaders = generalSecurityHeaders({ https: secure });
  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const result = pathname.startsWith('/') ? match(pathname, method) : { kind: 'wrong-method' as const };
    if (result.kind === 'route' || (result.kind === 'wrong-method' && method !== 'OPTIONS')) {
      matches.set(req, result.kind === 'route' ? result.match : 'wrong-method');
      void ourCallback(req, res);
      return;
    }
    for (const [name, value] of providerHeaders) res.setHeader(name, value);
    // Signing keys may have been rotated by another process or instance: at most one check a second.
    providers.refresh().then(() => providers.callback()(req, res)).catch((error: unknown) => {
      log.warn(`request failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  }
  return { app, providers, handleRequest };
}
