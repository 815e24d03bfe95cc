/**
 * The IdP on every core: the primary forks IDP_WORKERS workers that share the port (node:cluster) and
 * the store. Everything that must hold across workers (sessions, grants, rate limits, keys, cookie
 * secrets) already lives in the store, so any worker can serve any request.
 *
 * Start-up: the store is prepared once (migrations, signing keys, server secrets) by a short-lived
 * preparation worker before the serving workers are forked, so they never race to migrate or to create
 * the first keys. That worker also validates the configuration (a bad setting stops the start with its
 * message and exit code) and reports what the primary needs to supervise and announce.
 *
 * Invariant: the primary imports neither the app nor the store nor the configuration schema (only
 * node:cluster, log.ts and config/workers.ts), so it stays small (issue 16: ≤ 60 MB) however large the
 * app grows. bin.ts sends `idp serve` here before loading anything else. With IDP_METRICS_PORT it also
 * loads prom-client and observability/metrics-server.ts, and serves the sum of the workers' metrics
 * (prom-client's AggregatorRegistry asks every worker; each answers, see main.ts serveMetrics).
 *
 * The primary restarts a worker that dies (waiting longer after each quick crash, so a worker that cannot
 * start does not spin). On SIGINT/SIGTERM it drains every worker (each drains as a single instance does,
 * http/graceful-server.ts) and exits 0 once they are gone, killing any that outlives its
 * IDP_SHUTDOWN_DELAY_MS + IDP_SHUTDOWN_GRACE_MS + STOP_MARGIN_MS. On SIGHUP it restarts the workers one
 * at a time (a rolling restart, e.g. to run new code): it forks a replacement, waits until that one
 * reports ready, then retires one old worker (it finishes its requests while the others serve), and so
 * on. Workers retired so, or replacements that fail to start, are not crashes: they are not restarted
 * and do not count toward the crash backoff; a replacement that fails stops the rolling restart, and
 * the old workers left serve on.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { configureLog, log, type LogFormat, type setLogLevel } from './log.ts';

type LogLevel = Parameters<typeof setLogLevel>[0];

/** A worker that lived shorter than this is a crash loop candidate: its restart is delayed. */
const STABLE_AFTER_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond a worker's delay and grace, how long it gets to close its store before it is killed. */
const STOP_MARGIN_MS = 5000;
/** How long a rolling restart waits for a replacement worker to report ready. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Node flags of the serving workers, beside the primary's own: a young generation of 4 MB semi-spaces
 * instead of V8's default (up to 32 MB each) keeps ~40 MB of RSS per worker for a few more scavenges
 * (measured: no change in CPU per sign-in). `npm start` passes the same flag to a single process.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4'];

/** Marks the preparation worker (an internal variable, not a setting). */
export const PREPARE_ROLE_ENV = 'LATCHKEY_CLUSTER_ROLE';

/** What the preparation worker reports to the primary once the store is ready. */
export interface PreparedMessage {
  kind: 'latchkey:prepared';
  workers: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** IDP_METRICS_PORT and IDP_METRICS_HOST, validated: the primary serves the workers' sum there. */
  metrics?: { port: number; host: string };
  issuer?: string;
  dataDir: string;
  /** IDP_SHUTDOWN_GRACE_MS and IDP_SHUTDOWN_DELAY_MS, validated: they bound the primary's wait for draining workers. */
  shutdown: { graceMs: number; delayMs: number };
}

/** A serving worker tells the primary it is up (its app built, its port bound). */
const READY_MESSAGE = 'latchkey:ready';
/** The primary asks one worker to finish its requests and exit (a rolling restart). */
const RETIRE_MESSAGE = 'latchkey:retire';

/** True in the preparation worker. */
export function isPreparationWorker(): boolean {
  return cluster.isWorker && process.env[PREPARE_ROLE_ENV] === 'prepare';
}

/** Preparation worker side: report to the primary (the caller exits afterwards). */
export function reportPrepared(message: Omit<PreparedMessage, 'kind'>): Promise<void> {
  return new Promise((resolve) => process.send!({ kind: 'latchkey:prepared', ...message }, undefined, {}, () => resolve()));
}

/** Forks the preparation worker and waits for its report; its exit code when it fails. */
function prepare(): Promise<PreparedMessage | number> {
  return new Promise((resolve) => {
    let prepared: PreparedMessage | undefined;
    const worker = cluster.fork({ [PREPARE_ROLE_ENV]: 'prepare' });
    worker.on('message', (message: PreparedMessage) => {
      if (message?.kind === 'latchkey:prepared') prepared = message;
    });
    worker.once('exit', (code, signal) => resolve(code === 0 && prepared ? prepared : (code || (signal ? 1 : 1))));
  });
}

/** Primary side: prepare the store, fork the workers and supervise them until SIGINT/SIGTERM. Returns the exit code. */
export async function runPrimary(): Promise<number> {
  cluster.setupPrimary({ execArgv: [...process.execArgv.filter((a) => !a.startsWith('--max-semi-space-size')), ...WORKER_NODE_FLAGS] });
  const prepared = await prepare();
  if (typeof prepared === 'number') return prepared;
  configureLog(prepared);
  const metrics = prepared.metrics ? await serveClusterMetrics(prepared.metrics) : undefined;

  const { delayMs, graceMs } = prepared.shutdown;
  const drainBoundMs = delayMs + graceMs + STOP_MARGIN_MS;
  let stopping = false;
  let restarting = false;
  let quickCrashes = 0;
  let announced = false;
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();
  const ready = new Set<Worker>();
  /** Workers whose exit is expected: retired by a rolling restart, or replacements not ready yet. */
  const unsupervised = new Set<Worker>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: { kind?: string } | undefined) => {
      if (message?.kind === READY_MESSAGE) {
        ready.add(worker);
        worker.emit('latchkey:ready');
      }
    });
    return worker;
  };

  cluster.on('listening', (worker, address: AddressInfo | { port: number; address: string | null }) => {
    listening.add(worker);
    if (!announced && listening.size >= prepared.workers) {
      announced = true;
      const url = `http://localhost:${address.port}`;
      log.info(`IdP listening on ${url} (issuer ${prepared.issuer ?? url}, ${prepared.workers} workers, data in ${prepared.dataDir})`);
      log.info(`discovery: ${prepared.issuer ?? url}/.well-known/openid-configuration`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    ready.delete(worker);
    if (!startedAt.has(worker)) return; // the preparation worker
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping || unsupervised.delete(worker)) return;
    quickCrashes = lived < STABLE_AFTER_MS ? quickCrashes + 1 : 0;
    const delay = quickCrashes === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (quickCrashes - 1));
    log.warn(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one${delay ? ` in ${delay} ms` : ''}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  /** Resolves true once `worker` reports ready, false when it exits first or takes longer than READY_TIMEOUT_MS. */
  const becomesReady = (worker: Worker) => new Promise<boolean>((resolve) => {
    if (ready.has(worker)) return resolve(true);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      worker.off('latchkey:ready', onReady);
      worker.off('exit', onExit);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onExit = () => done(false);
    const timer = setTimeout(() => done(false), READY_TIMEOUT_MS);
    worker.on('latchkey:ready', onReady);
    worker.on('exit', onExit);
  });

  async function rollingRestart(): Promise<void> {
    if (stopping) return;
    if (restarting) {
      log.warn('SIGHUP: a rolling restart is already under way; ignored');
      return;
    }
    restarting = true;
    const old = [...startedAt.keys()].filter((w) => !w.isDead());
    log.info(`SIGHUP: rolling restart of ${old.length} worker(s), one at a time`);
    try {
      for (const worker of old) {
        if (stopping) return;
        if (worker.isDead()) continue; // it crashed meanwhile and was replaced
        const replacement = fork();
        unsupervised.add(replacement);
        if (!(await becomesReady(replacement))) {
          if (stopping) return;
          log.error(`rolling restart stopped: the new worker ${replacement.process.pid} did not become ready; the workers left serve on`);
          if (!replacement.isDead()) replacement.process.kill('SIGKILL');
          return;
        }
        unsupervised.delete(replacement);
        unsupervised.add(worker);
        await stopWorker(worker, 'retire', drainBoundMs);
      }
      log.info(`rolling restart done: workers ${[...startedAt.keys()].map((w) => w.process.pid).join(', ')}`);
    } finally {
      restarting = false;
    }
  }

  for (let i = 0; i < prepared.workers; i++) fork();

  process.on('SIGHUP', () => void rollingRestart());
  const signal = await new Promise<string>((resolve) => {
    process.on('SIGINT', () => resolve('SIGINT'));
    process.on('SIGTERM', () => resolve('SIGTERM')); // later signals are ignored: the drain is bounded
  });
  stopping = true;
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  log.info(`${signal}: draining ${workers.length} worker(s) (up to ${drainBoundMs} ms)`);
  await Promise.all(workers.map((worker) => stopWorker(worker, 'drain', drainBoundMs)));
  await metrics?.close();
  log.info('stopped');
  return 0;
}

/** The primary's metrics listener: each scrape asks every worker and sums (or, for gauges of the store, maxes) their answers. */
async function serveClusterMetrics(listen: { port: number; host: string }) {
  const [{ default: client }, { startMetricsServer }] = await Promise.all([import('prom-client'), import('./observability/metrics-server.ts')]);
  const aggregator = new client.AggregatorRegistry();
  const server = await startMetricsServer(listen, async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    (error) => log.error('collecting the workers\' metrics failed', { err: error }));
  log.info(`metrics on ${server.url} (the sum of the workers)`);
  return server;
}

/**
 * Asks one worker to stop (`drain`: SIGTERM, the instance goes; `retire`: the rolling restart's message)
 * and waits for its exit; kills it when it outlives `boundMs`. A worker that exits (code 0) after its drain
 * is the normal case; the kill is logged.
 */
function stopWorker(worker: Worker, how: 'drain' | 'retire', boundMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    const kill = setTimeout(() => {
      log.warn(`worker ${worker.process.pid} still running ${boundMs} ms after it was asked to stop; killing it`);
      worker.process.kill('SIGKILL');
    }, boundMs);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (how === 'retire') worker.send({ kind: RETIRE_MESSAGE });
    else worker.process.kill('SIGTERM');
  });
}

/** True when this process should run the primary (several workers requested and not a worker itself). */
export function isClusterPrimary(config: { workers: number }): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

/** Serving worker side: tell the primary this worker is up (a rolling restart waits for it). */
export function reportReady(): void {
  if (cluster.isWorker) process.send?.({ kind: READY_MESSAGE });
}

/** Serving worker side: `stop` runs when the primary retires this worker (a rolling restart). */
export function onRetire(stop: () => void): void {
  if (!cluster.isWorker) return;
  process.on('message', (message: { kind?: string } | undefined) => {
    if (message?.kind === RETIRE_MESSAGE) stop();
  });
}

/** Worker side: leave the cluster after a clean stop, so the primary does not restart this worker. */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}
