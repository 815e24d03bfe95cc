/**
 * Load for multi-step flows, run as its own process so it never shares an event loop with the
 * orchestrator: `node --import tsx test/bench/load.ts '<json spec>'`. A fixed number of virtual users
 * loop over one operation until the duration is over; operations that start during the warm-up are not
 * counted. On a machine so busy that no operation finishes inside the window (a short smoke window, two
 * cores shared with PostgreSQL and other suites), the window stretches until one does, up to a minute,
 * and the rate is divided by the window actually measured. Prints `ready` on stderr when setup is done, then one JSON line: { ops, allOps, seconds, perSecond, p50, p99, errors, firstError }.
 *
 * Operations: `sign-in` (a full password sign-in, see passwordSignIn) and `refresh` (refresh_token
 * grants, each user following its own rotating chain).
 */
import http from 'node:http';
import { HttpSession, passwordSignIn, refresh, type HttpTarget, type SignInClient } from '../helpers/http-session.ts';

export interface LoadSpec {
  op: 'sign-in' | 'refresh';
  target: HttpTarget;
  client: SignInClient;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Accounts `<prefix>-<n>@example.com`, n in 1..count, picked at random per sign-in. */
  accounts?: { prefix: string; count: number; password: string };
  /** Refresh tokens to start the chains from; without them each user signs in first. */
  refreshTokens?: string[];
}

export interface LoadResult {
  ops: number;
  /** Every operation finished after setup, warm-up included (to divide the server's CPU time by). */
  allOps: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const randomAccount = () => {
    const a = spec.accounts!;
    return `${a.prefix}-${1 + Math.floor(Math.random() * a.count)}@example.com`;
  };
  const latencies: number[] = [];
  let errors = 0;
  let completed = 0;
  let allOps = 0;
  let firstError: string | undefined;
  const fail = (error: unknown) => {
    errors++;
    firstError ??= String((error as Error)?.message ?? error).slice(0, 300);
  };

  // Refresh chains start from given tokens or from one sign-in per user (not timed).
  const chains: string[] = [];
  if (spec.op === 'refresh') {
    if (spec.refreshTokens) chains.push(...spec.refreshTokens.slice(0, spec.concurrency));
    else {
      await Promise.all(Array.from({ length: spec.concurrency }, async () => {
        const tokens = await passwordSignIn(new HttpSession(spec.target, agent), spec.client, randomAccount(), spec.accounts!.password);
        chains.push(tokens.refresh_token!);
      }));
    }
  }

  // The orchestrator starts counting the server's CPU time here, after any setup sign-ins.
  process.stderr.write('ready\n');
  const started = performance.now();
  const countFrom = started + spec.warmupMs;
  const end = countFrom + spec.durationMs;
  const latest = end + 60_000;
  let measuredEnd = end;
  const running = () => {
    const now = performance.now();
    return now < end || (completed === 0 && now < latest);
  };
  const user = async (index: number) => {
    while (running()) {
      const t0 = performance.now();
      try {
        if (spec.op === 'sign-in') {
          await passwordSignIn(new HttpSession(spec.target, agent), spec.client, randomAccount(), spec.accounts!.password);
        } else {
          const tokens = await refresh(new HttpSession(spec.target, agent), spec.client, chains[index]!);
          chains[index] = tokens.refresh_token!;
        }
        const t1 = performance.now();
        // Throughput and latency: operations that finished inside the measured window.
        if (t1 >= countFrom && (t1 <= end || completed === 0)) {
          completed++;
          latencies.push(t1 - t0);
          if (t1 > measuredEnd) measuredEnd = t1;
        }
        allOps++;
      } catch (error) {
        fail(error);
        if (spec.op === 'refresh') return; // a broken chain cannot continue
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: spec.op === 'refresh' ? chains.length : spec.concurrency }, (_, i) => user(i)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const seconds = (measuredEnd - countFrom) / 1000;
  return { ops: completed, allOps, seconds, perSecond: completed / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, firstError };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  const result = await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
