/**
 * `idp serve`: start the IdP and stop cleanly on SIGINT/SIGTERM. With IDP_WORKERS > 1 this process becomes
 * the cluster primary and the IdP runs in forked workers (see cluster.ts), each of which runs this again.
 */
import cluster from 'node:cluster';
import type { Config } from '../config/config.ts';
import { startIdp } from '../main.ts';
import { log } from '../log.ts';
import { isClusterPrimary, leaveCluster, runPrimary } from '../cluster.ts';

export async function serve(config: Config): Promise<void> {
  if (isClusterPrimary(config)) {
    await runPrimary(config);
    return;
  }
  // Workers: the primary announces the URL once; only the first worker prints the configuration warnings.
  const worker = cluster.worker;
  const idp = await startIdp(config, { quiet: worker !== undefined && worker.id !== 1 });
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
