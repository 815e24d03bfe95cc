/**
 * `idp serve`: start the IdP and stop cleanly on SIGINT/SIGTERM. With IDP_WORKERS > 1 the process that
 * was started becomes the cluster primary (bin.ts sends it to cluster.ts before this module is loaded) and
 * the IdP runs in forked workers, each of which runs this again; so does the preparation worker, which
 * prepares the store and exits.
 */
import cluster from 'node:cluster';
import { configWarnings, type Config } from '../config/config.ts';
import { log } from '../log.ts';
import { isClusterPrimary, isPreparationWorker, leaveCluster, reportPrepared, runPrimary } from '../cluster.ts';

export async function serve(config: Config): Promise<void> {
  if (isClusterPrimary(config)) {
    process.exitCode = await runPrimary();
    return;
  }
  if (isPreparationWorker()) {
    await prepareStore(config);
    return;
  }
  // Workers: the primary announces the URL once; the preparation worker printed the configuration warnings.
  const { startIdp } = await import('../main.ts');
  const worker = cluster.worker;
  const idp = await startIdp(config, { quiet: worker !== undefined });
  if (!worker) {
    log.info(`IdP listening on ${idp.url} (issuer ${idp.issuer}, data in ${config.dataDir})`);
    log.info(`discovery: ${idp.issuer}/.well-known/openid-configuration`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await idp.close();
  leaveCluster();
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
  });
}
