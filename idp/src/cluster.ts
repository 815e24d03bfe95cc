/**
 * The IdP on every core: the primary prepares the store once (migrations, signing keys, server secrets)
 * and forks IDP_WORKERS workers that share the port (node:cluster) and the SQLite store. Everything that
 * must hold across workers (sessions, grants, rate limits, keys, cookie secrets) already lives in the
 * store, so any worker can serve any request.
 *
 * The primary restarts a worker that dies (waiting longer after each quick crash, so a worker that cannot
 * start does not spin) and stops every worker on SIGINT/SIGTERM.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.ts';
import { log, setLogLevel } from './log.ts';
import { openConfiguredStore } from './storage/store.ts';
import { cookieSecrets, ensureSigningKeys } from './storage/server-settings.ts';
import { assertSecretKeyMatches, loadSecretKey } from './security/secret-box.ts';

/** A worker that lived shorter than this is a crash loop candidate: its restart is delayed. */
const STABLE_AFTER_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long workers get to finish their requests on shutdown before they are killed. */
const STOP_GRACE_MS = 10_000;

/** Primary side: prepare the store, fork the workers and supervise them until SIGINT/SIGTERM. */
export async function runPrimary(config: Config): Promise<void> {
  setLogLevel(config.logLevel);
  // Done once here so workers never race to migrate or to create the first keys and secrets.
  const key = loadSecretKey(config);
  const db = await openConfiguredStore(config);
  try {
    await assertSecretKeyMatches(db, key);
    await ensureSigningKeys(db);
    await cookieSecrets(db);
  } finally {
    await db.close();
  }

  let stopping = false;
  let quickCrashes = 0;
  let announced = false;
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  cluster.on('listening', (worker, address: AddressInfo | { port: number; address: string | null }) => {
    listening.add(worker);
    if (!announced && listening.size >= config.workers) {
      announced = true;
      const url = `http://localhost:${address.port}`;
      log.info(`IdP listening on ${url} (issuer ${config.issuer ?? url}, ${config.workers} workers, data in ${config.dataDir})`);
      log.info(`discovery: ${config.issuer ?? url}/.well-known/openid-configuration`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) return;
    quickCrashes = lived < STABLE_AFTER_MS ? quickCrashes + 1 : 0;
    const delay = quickCrashes === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (quickCrashes - 1));
    log.warn(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one${delay ? ` in ${delay} ms` : ''}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  for (let i = 0; i < config.workers; i++) fork();

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  stopping = true;
  await stopWorkers();
}

async function stopWorkers(): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    worker.process.kill('SIGTERM');
  })));
}

/** True when this process should run the primary (several workers requested and not a worker itself). */
export function isClusterPrimary(config: Config): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

/** Worker side: leave the cluster after a clean stop, so the primary does not restart this worker. */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}
