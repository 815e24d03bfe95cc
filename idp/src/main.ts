/**
 * Starting the IdP: read config, open the store, make sure keys exist and every secret is sealed (see
 * storage/store-sealing.ts and two-factor-repository.ts), build the app, bind the port (the other way
 * round only when the issuer names a port picked at random), then report ready. Stopping: `drain`
 * (SIGTERM, http/graceful-server.ts) or `close` (at once), then the store and Redis closed.
 */
import cluster from 'node:cluster';
import type http from 'node:http';
import { configWarnings, type Config } from './config/config.ts';
import { configureLog, log } from './log.ts';
import { answerClusterScrapes, collectFrom, metricsText } from './observability/metrics.ts';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.ts';
import { outboxStatus } from './mail/mail-queue.ts';
import { buildApp } from './app.ts';
import { gracefulServer, type DrainReport, type ServingPhase } from './http/graceful-server.ts';
import { flushGroupCommits } from './storage/oidc-adapter.ts';
import { createServices } from './services.ts';
import { openConfiguredStore } from './storage/store.ts';
import { openRedis } from './storage/redis.ts';
import { ensureSigningKeys } from './storage/server-settings.ts';
import { startMaintenance } from './maintenance.ts';
import { assertSecretKeyMatches, loadSecretKeys, secretBox } from './storage/secret-box.ts';
import { sealStore } from './storage/store-sealing.ts';
import { twoFactorRepository } from './security/two-factor-repository.ts';
import type { Mailer } from './mail/mailer.ts';

export interface RunningIdp {
  url: string;
  issuer: string;
  server: http.Server;
  services: ReturnType<typeof createServices>;
  /** starting, serving, retiring or draining (what `/readyz` reports). */
  phase(): ServingPhase;
  /**
   * Graceful stop (SIGTERM): not ready, IDP_SHUTDOWN_DELAY_MS of serving, the listener closed, the
   * requests in flight given IDP_SHUTDOWN_GRACE_MS, then the store and Redis closed. `retire`: one
   * cluster worker replaced by a rolling restart (no delay, readiness unchanged).
   */
  drain(options?: { retire?: boolean }): Promise<DrainReport>;
  /** Immediate stop: every connection cut (tests). */
  close(): Promise<void>;
}

export async function startIdp(config: Config, options: { mailer?: Mailer; quiet?: boolean } = {}): Promise<RunningIdp> {
  configureLog(config);
  // A cluster worker answers the primary's scrapes from its first moment (an unanswered worker fails the
  // whole scrape after prom-client's 5 s), with the gauges at 0 until its store is open.
  if (config.metrics && cluster.isWorker) answerClusterScrapes();
  const keys = loadSecretKeys(config); // before anything is opened: a bad key file stops here
  const box = secretBox(keys);
  const db = await openConfiguredStore(config, { serving: true });
  const shortLived = config.redisUrl ? openRedis(config.redisUrl, config.redisPrefix, { timeoutMs: config.timeouts.redisMs }) : undefined;
  try {
    await assertSecretKeyMatches(db, keys);
    const report = await sealStore(db, box, shortLived);
    if (report.rekeyed + report.sealed + report.swept > 0) {
      log.info(`sealed the store written by an earlier version: ${report.rekeyed} row(s) re-keyed by a hash of their id, ${report.sealed} secret(s) sealed, ${report.swept} Redis key(s) moved`);
    }
    await ensureSigningKeys(db, box);
    const sealed = await twoFactorRepository(db, box).sealLegacySecrets();
    if (sealed > 0) log.info(`encrypted ${sealed} TOTP secret(s) stored in clear by an earlier version`);
  } catch (error) {
    await shortLived?.close();
    await db.close();
    throw error;
  }
  // The app is built before the port is bound whenever the issuer is known by then (IDP_ISSUER, or a
  // fixed PORT): a cluster worker gets connections from the moment it listens, so it must be able to
  // answer them. With PORT=0 and no IDP_ISSUER the issuer names the port picked, so the app is built
  // after binding and requests meanwhile get 503 "starting" (http/graceful-server.ts).
  const listener = gracefulServer();
  const knownIssuer = config.issuer ?? (config.port === 0 ? undefined : `http://localhost:${config.port}`);
  let issuer = knownIssuer ?? '';
  const services = createServices(config, db, { issuer: () => issuer, mailer: options.mailer, shortLived, phase: listener.phase });
  let metricsServer: MetricsServer | undefined;
  let port: number;
  try {
    if (knownIssuer) listener.serve((await buildApp({ issuer, services, extensionRedirectUris: config.extensionRedirectUris })).handleRequest);
    port = await listener.listen(config.port, config.host);
    if (!knownIssuer) {
      issuer = `http://localhost:${port}`;
      listener.serve((await buildApp({ issuer, services, extensionRedirectUris: config.extensionRedirectUris })).handleRequest);
    }
    metricsServer = await serveMetrics(config, services);
  } catch (error) {
    // A taken port (PORT or IDP_METRICS_PORT): nothing may stay open behind the failed start.
    await listener.close();
    await services.mailer.close();
    await shortLived?.close();
    await db.close();
    throw error;
  }
  const maintenance = startMaintenance(services);
  services.mailer.startSender();
  if (!options.quiet) for (const warning of configWarnings(config, issuer)) log.warn(warning);
  listener.ready();

  /** After the last request, once: background work stopped, writes flushed, the mail claim released, the store closed. */
  let released: Promise<void> | undefined;
  const release = () => (released ??= (async () => {
    maintenance.stop();
    await metricsServer?.close();
    await services.mailer.close();
    await flushGroupCommits(db);
    await shortLived?.close();
    await db.close();
  })());
  return {
    url: `http://localhost:${port}`,
    issuer,
    server: listener.server,
    services,
    phase: listener.phase,
    async drain(drainOptions = {}) {
      const report = await listener.drain({ ...config.shutdown, retire: drainOptions.retire });
      await release();
      return report;
    },
    async close() {
      await listener.close();
      await release();
    },
  };
}

/**
 * IDP_METRICS_PORT: the gauges read this IdP's store when scraped; a single process serves them itself,
 * a cluster worker answers the primary, which serves the sum of its workers (cluster.ts).
 */
async function serveMetrics(config: Config, services: ReturnType<typeof createServices>): Promise<MetricsServer | undefined> {
  if (!config.metrics) return undefined;
  collectFrom({ liveSessions: () => services.sessions.countLive(), outbox: () => outboxStatus(services.db) });
  if (cluster.isWorker) return undefined;
  const server = await startMetricsServer(config.metrics, metricsText, (error) => log.error('collecting the metrics failed', { err: error }));
  log.info(`metrics on ${server.url}`);
  return server;
}
