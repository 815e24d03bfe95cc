/**
 * How many worker processes `idp serve` runs: IDP_WORKERS, else one per core in production, else one.
 * Its own module, free of imports, because the cluster primary decides with it before (and without)
 * loading the validated configuration (see cluster.ts); config.ts applies the same rule.
 */
import os from 'node:os';

export function defaultWorkers(production: boolean): number {
  return production ? os.availableParallelism() : 1;
}

/** The worker count as the environment gives it, without validation (an invalid value counts as 1). */
export function workersFromEnv(env: NodeJS.ProcessEnv): number {
  if (env.IDP_WORKERS === undefined || env.IDP_WORKERS === '') return defaultWorkers(env.NODE_ENV === 'production');
  const n = Number(env.IDP_WORKERS);
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 1;
}
