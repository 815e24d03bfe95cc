/**
 * Koa wiring and the route table, no logic. Requests that match one of our routes get body parsing,
 * CSRF protection and our error boundary; every other request goes to oidc-provider (which parses and
 * protects its own endpoints), as in its Koa example with interaction routes first.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { AppState } from './http/context.ts';
import { csrfProtection } from './http/csrf.ts';
import { errorHandler } from './http/error-handler.tsx';
import { createRouter, type RouteDeps } from './http/router.ts';
import { generalSecurityHeaders, securityHeaders } from './http/security-headers.ts';
import { providerHolder } from './oidc/provider.ts';
import { log } from './log.ts';
import type { Services } from './services.ts';
import { cookieSecrets, getOrCreateSetting } from './storage/server-settings.ts';
import * as showInteraction from './oidc/interactions/show.ts';
import * as loginInteraction from './oidc/interactions/login.ts';
import * as consentInteraction from './oidc/interactions/consent.ts';
import * as secondFactorInteraction from './oidc/interactions/second-factor.ts';
import * as portalLogin from './accounts/routes/portal-login.ts';
import * as signupPage from './accounts/routes/signup.tsx';
import * as accountPage from './accounts/routes/index.ts';
import * as securityPage from './security/routes/index.ts';
import * as databasesPage from './databases/routes/databases-page.tsx';
import * as databasePage from './databases/routes/database-page.tsx';
import * as invitationsPage from './databases/routes/invitations.tsx';
import * as databaseAccessInteraction from './databases/routes/no-access-interaction.tsx';
import * as databaseApi from './databases/routes/database-api.ts';
import * as verifyEmailPage from './accounts/routes/verify-email.tsx';
import * as forgotPasswordPage from './security/routes/password-forgot.tsx';
import * as resetPasswordPage from './security/routes/password-reset.tsx';
import * as apiKeysPage from './apikeys/routes/api-keys-page.tsx';
import * as accountApi from './account-api/account-api.ts';
import * as passkeyRoutes from './passkeys/routes/index.ts';

const staticDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../static');

export interface AppOptions {
  issuer: string;
  services: Services;
  extensionRedirectUris?: string[];
}

export async function buildApp(options: AppOptions) {
  const { issuer, services } = options;
  const secure = issuer.startsWith('https:');
  const providers = await providerHolder({ issuer, services, extensionRedirectUris: options.extensionRedirectUris ?? [] });
  services.security.provider.use(() => providers.get());
  const deps: RouteDeps = { providers, issuer, secure };

  const router = createRouter();
  const pages = [
    showInteraction, loginInteraction, secondFactorInteraction, consentInteraction,
    portalLogin, signupPage, accountPage, securityPage, databasesPage,
    verifyEmailPage, forgotPasswordPage, resetPasswordPage,
    databasePage, invitationsPage, databaseAccessInteraction, databaseApi,
    apiKeysPage, accountApi, passkeyRoutes,
  ];
  for (const page of pages) page.register(router, deps);

  const css = fs.readFileSync(path.join(staticDir, 'portal.css'));
  router.get('/static/portal.css', async function portalCss(ctx) {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  router.get('/', async function home(ctx) {
    ctx.redirect('/my/account');
  });
  router.get('/healthz', async function health(ctx) {
    await services.db.get('SELECT 1 AS one');
    ctx.body = { ok: true };
  });

  // Behind a proxy, trust only the address the nearest proxy saw (the rightmost X-Forwarded-For
  // entry): the leftmost ones are whatever the client wrote, and per-IP limits and logs depend on it.
  const app = new Koa<AppState>({ proxy: services.config.trustProxy, maxIpsCount: 1 });
  app.keys = await cookieSecrets(services.db);
  app.silent = true;
  const csrf = csrfProtection({ secret: await getOrCreateSetting(services.db, 'csrf_secret', () => crypto.randomUUID() + crypto.randomUUID()), issuer, secure });
  const parseBody = bodyParser({ enableTypes: ['form', 'json'], formLimit: '64kb', jsonLimit: '64kb', encoding: 'utf-8' });
  const ours = router.routes();

  app.use(securityHeaders({ https: secure }));
  app.use(async function dispatch(ctx, next) {
    await providers.refresh();
    const matched = router.match(ctx.path, ctx.method);
    if (!matched.route) {
      if (matched.path.length > 0 && ctx.method !== 'OPTIONS') {
        ctx.status = 405;
        ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed here.` };
        return;
      }
      // Everything else is oidc-provider's (discovery, /auth, /token, /jwks, /session/end, ...).
      ctx.respond = false;
      await providers.callback()(ctx.req, ctx.res);
      return;
    }
    ctx.state.services = services;
    await errorHandler(ctx, async () => {
      await parseBody(ctx, async () => {
        await csrf(ctx, async () => {
          await ours(ctx as Parameters<typeof ours>[0], next);
        });
      });
    });
  });

  // The server's request handler. Requests for oidc-provider skip our Koa context (its own app makes
  // one): they get the general security headers straight on the response. Same routing as `dispatch`.
  const ourCallback = app.callback();
  const providerHeaders = generalSecurityHeaders({ https: secure });
  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    if (!pathname.startsWith('/')) {
      void ourCallback(req, res);
      return;
    }
    const matched = router.match(pathname, method);
    if (matched.route || (matched.path.length > 0 && method !== 'OPTIONS')) {
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
