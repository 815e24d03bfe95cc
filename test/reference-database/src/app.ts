/**
 * `startDatabaseApp(config)`: validates the config, opens the SQLite file, wires Koa and listens.
 * Route table and middleware order only; no logic here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { parseConfig, type DatabaseAppConfig } from './config.ts';
import { errorHandler, loadSession, securityHeaders, type AppState, type HttpDeps } from './http.tsx';
import { createIdpClient } from './idp-client.ts';
import { STYLESHEET } from './pages.tsx';
import { createRepository } from './repository.ts';
import { accountRoutes } from './routes/account.tsx';
import { apiRoutes } from './routes/api.ts';
import { authRoutes } from './routes/auth.tsx';
import { createDatabaseService } from './service.ts';
import { openDatabase } from './storage.ts';

export type { DatabaseAppConfig } from './config.ts';

export interface StartOptions {
  /** Where diagnostics go; defaults to console.error. Pass `() => {}` to silence. */
  log?: (message: string, detail?: unknown) => void;
}

export interface DatabaseApp {
  /** The public URL (no trailing slash). */
  url: string;
  redirectUri: string;
  backchannelLogoutUri: string;
  postLogoutRedirectUri: string;
  close(): Promise<void>;
}

export async function startDatabaseApp(input: DatabaseAppConfig, options: StartOptions = {}): Promise<DatabaseApp> {
  const config = parseConfig(input);
  const log =
    options.log ??
    ((message: string, detail?: unknown) => {
      console.error(`[${config.name}] ${message}`, ...(detail === undefined ? [] : [detail]));
    });

  const db = openDatabase(config.dataDir);
  const server = http.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const publicUrl = new URL(config.publicUrl ?? `http://localhost:${port}`);
  const base = publicUrl.href.replace(/\/+$/, '');
  const redirectUri = `${base}/callback`;
  const backchannelLogoutUri = `${base}/backchannel-logout`;
  const postLogoutRedirectUri = `${base}/`;

  const repo = createRepository(db);
  const deps: HttpDeps = {
    dbName: config.name,
    publicUrl,
    issuer: new URL(config.issuer),
    service: createDatabaseService(repo),
    idp: createIdpClient({
      issuer: config.issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri,
      postLogoutRedirectUri,
      introspectionCacheSeconds: config.introspectionCacheSeconds,
      negativeCacheSeconds: config.negativeCacheSeconds,
    }),
    log,
  };

  const app = new Koa<AppState>();
  app.silent = true;
  app.use(errorHandler(deps));
  app.use(securityHeaders(deps));
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '16kb', formLimit: '16kb', encoding: 'utf-8' }));
  app.use(loadSession(deps));
  app.use(async function stylesheet(ctx, next) {
    if (ctx.method !== 'GET' || ctx.path !== '/style.css') return next();
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });
  for (const router of [authRoutes(deps), accountRoutes(deps), apiRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  server.on('request', app.callback());

  let closed = false;
  return {
    url: base,
    redirectUri,
    backchannelLogoutUri,
    postLogoutRedirectUri,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
