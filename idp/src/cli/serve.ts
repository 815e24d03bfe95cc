/**
 * `idp serve`: start the IdP and drain on SIGTERM/SIGINT (http/graceful-server.ts: not ready, serve
 * IDP_SHUTDOWN_DELAY_MS more, finish the requests in flight within IDP_SHUTDOWN_GRACE_MS, close, exit
 * 0). With IDP_WORKERS > 1 the process that was started becomes the cluster primary (bin.ts sends it to cluster.ts before this module is loaded) and
 * the IdP runs in forked workers, each of which runs this again; so does the preparation worker, which
 * prepares the store and exits.
 */
import cluster from 'node:cluster';
import { configWarnings, type Config } from '../config/config.ts';
import { log } from '../log.ts';
import { isClusterPrimary, isPreparationWorker, leaveCluster, onRetire, reportPrepared, reportReady, runPrimary } from '../cluster.ts';

export async function serve(config: Config): Promise<void> {
  if (isClusterPrimary(config)) {
    process.exitCode = await runPrimary();
    return;
  }
  if (isPreparationWorker()) {
    await prepareStore(config);
    return;
  }
  // Asked to stop while starting: the drain begins as soon as the IdP is up.
  const stop = stopRequest();
  // Workers: the primary announces the URL once; the preparation worker printed the configuration warnings.
  const { startIdp } = await import('../main.ts');
  const worker = cluster.worker;
  const idp = await startIdp(config, { quiet: worker !== undefined });
  if (!worker) {
    log.info(`IdP listening on ${idp.url} (issuer ${idp.issuer}, data in ${config.dataDir})`);
    log.info(`discovery: ${idp.issuer}/.well-known/openid-configuration`);
  }
  reportReady();
  const { reason, retire } = await stop;
  const { graceMs, delayMs } = config.shutdown;
  const who = worker ? `worker ${process.pid}: ` : '';
  log.info(retire
    ? `${who}${reason}: finishing the requests in flight (up to IDP_SHUTDOWN_GRACE_MS=${graceMs} ms) while the other workers serve`
    : `${who}${reason}: draining (/readyz answers 503; serving ${delayMs} ms more, IDP_SHUTDOWN_DELAY_MS, then up to IDP_SHUTDOWN_GRACE_MS=${graceMs} ms for the requests in flight)`);
  const report = await idp.drain({ retire });
  if (report.cut > 0) {
    log.warn(`${who}shutdown: IDP_SHUTDOWN_GRACE_MS=${graceMs} ms ran out; cut ${report.cut} connection(s), ${report.cutInFlight} with a request in flight`);
  }
  log.info(`${who}stopped: ${report.cut ? '' : 'requests finished, '}writes flushed, mail claims released, store closed`);
  leaveCluster();
  // Everything is closed; should a stray handle still hold the event loop, it must not hold the exit.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

/**
 * What stops this process: SIGTERM or SIGINT (the instance goes: drain), or the cluster primary's
 * retire message (a rolling restart replaces this worker). Later signals during the drain are ignored
 * (the primary forwards SIGTERM to workers that a terminal's Ctrl-C already reached), except a second
 * SIGINT, which a person means: it exits at once.
 */
function stopRequest(): Promise<{ reason: string; retire: boolean }> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (reason: string, retire: boolean) => {
      if (!stopping) resolve({ reason, retire });
      stopping = true;
    };
    let interrupts = 0;
    process.on('SIGTERM', () => stop('SIGTERM', false));
    process.on('SIGINT', () => {
      if (++interrupts > 1) process.exit(130);
      stop('SIGINT', false);
    });
    onRetire(() => stop('rolling restart', true));
    // SIGHUP is the primary's (a rolling restart); a terminal's hang-up reaching the whole group must not kill workers.
    if (cluster.isWorker) process.on('SIGHUP', () => {});
  });
}

/** Done once, before the serving workers start: migrations, the secret key check, sealing (store-sealing.ts), signing keys, cookie and CSRF secrets. */
async function prepareStore(config: Config): Promise<void> {
  const [{ openConfiguredStore }, { cookieSecrets, csrfSecret, ensureSigningKeys }, { assertSecretKeyMatches, loadSecretKeys, secretBox }, { sealStore }, { openRedis }] = await Promise.all([
    import('../storage/store.ts'), import('../storage/server-settings.ts'), import('../storage/secret-box.ts'), import('../storage/store-sealing.ts'),
    import('../storage/redis.ts'),
  ]);
  const keys = loadSecretKeys(config);
  const box = secretBox(keys);
  const db = await openConfiguredStore(config);
  const shortLived = config.redisUrl ? openRedis(config.redisUrl, config.redisPrefix, { timeoutMs: config.timeouts.redisMs }) : undefined;
  try {
    await assertSecretKeyMatches(db, keys);
    await sealStore(db, box, shortLived);
    await ensureSigningKeys(db, box);
    await cookieSecrets(db, box);
    await csrfSecret(db, box);
  } finally {
    await shortLived?.close();
    await db.close();
  }
  for (const warning of configWarnings(config, config.issuer ?? `http://localhost:${config.port}`)) log.warn(warning);
  await reportPrepared({
    workers: config.workers, logLevel: config.logLevel, logFormat: config.logFormat, metrics: config.metrics, issuer: config.issuer, dataDir: config.dataDir,
    shutdown: config.shutdown,
  });
}
