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

/** Done once, before the serving workers start: migrations, the secret key check, signing keys, cookie secrets. */
async function prepareStore(config: Config): Promise<void> {
  const [{ openConfiguredStore }, { cookieSecrets, ensureSigningKeys }, { assertSecretKeyMatches, loadSecretKey }] = await Promise.all([
    import('../storage/store.ts'), import('../storage/server-settings.ts'), import('../security/secret-box.ts'),
  ]);
  const key = loadSecretKey(config);
  const db = await openConfiguredStore(config);
  try {
    await assertSecretKeyMatches(db, key);
    await ensureSigningKeys(db);
    await cookieSecrets(db);
  } finally {
    await db.close();
  }
  for (const warning of configWarnings(config, config.issuer ?? `http://localhost:${config.port}`)) log.warn(warning);
  await reportPrepared({
    workers: config.workers, logLevel: config.logLevel, logFormat: config.logFormat, metrics: config.metrics, issuer: config.issuer, dataDir: config.dataDir,
  });
}
