/**
 * Starting the IdP: read config, open the store, make sure keys exist and every secret is sealed (see
 * storage/store-sealing.ts and two-factor-repository.ts), bind the port, then build the app with the issuer (which depends on the
 * bound port when IDP_ISSUER is not set).
 */
import cluster from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { configWarnings, type Config } from './config/config.ts';
import { configureLog, log } from './log.ts';
import { answerClusterScrapes, collectFrom, metricsText } from './observability/metrics.ts';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.ts';
import { outboxStatus } from './mail/mail-queue.ts';
import { buildApp } from './app.ts';
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
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = config.issuer ?? `http://localhost:${port}`;
  let services!: ReturnType<typeof createServices>;
  services = createServices(config, db, { issuer: () => issuer, mailer: options.mailer, shortLived });
  const { handleRequest } = await buildApp({ issuer, services, extensionRedirectUris: config.extensionRedirectUris });
  server.on('request', handleRequest);
  let metricsServer: MetricsServer | undefined;
  try {
    metricsServer = await serveMetrics(config, services);
  } catch (error) {
    // IDP_METRICS_PORT taken: nothing may stay open behind the failed start.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await shortLived?.close();
    await db.close();
    throw error;
  }
  const maintenance = startMaintenance(services);
  services.mailer.startSender();
  if (!options.quiet) for (const warning of configWarnings(config, issuer)) log.warn(warning);
  return {
    url: `http://localhost:${port}`,
    issuer,
    server,
    services,
    async close() {
      maintenance.stop();
      await metricsServer?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.mailer.close();
      await shortLived?.close();
      await db.close();
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
