/** `idp serve`: start the IdP and stop cleanly on SIGINT/SIGTERM. */
import type { Config } from '../config/config.ts';
import { startIdp } from '../main.ts';
import { log } from '../log.ts';

export async function serve(config: Config): Promise<void> {
  const idp = await startIdp(config);
  log.info(`IdP listening on ${idp.url} (issuer ${idp.issuer}, data in ${config.dataDir})`);
  log.info(`discovery: ${idp.issuer}/.well-known/openid-configuration`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await idp.close();
}
