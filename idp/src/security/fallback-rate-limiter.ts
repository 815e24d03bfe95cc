/**
 * A rate limiter that keeps counting when its store does not answer (issue 20): each call goes to the
 * primary limiter (Redis or the SQL store) and, when that fails with a dependency failure, to counters
 * in this process. Used where refusing is worse than counting per process for a while: the account
 * API's failed-authentication limit, so valid API keys keep working through a Redis outage. Guessing
 * defences that must hold across instances (sign-in, DPoP replay) keep the shared limiter.
 *
 * The in-process counters are the same fixed windows (rate-limiter.ts) and hold at most `maxKeys` keys
 * (the oldest window is dropped first), so an outage under a flood of addresses cannot grow memory.
 */
import { isDependencyFailure } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import { log } from '../log.ts';
import { retryAfterOf, type RateLimiter } from './rate-limiter.ts';

export function memoryRateLimiter(options: { maxKeys?: number } = {}): RateLimiter {
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { window_start: number; count: number }>();
  const count = (key: string, windowSeconds: number) => {
    const now = nowSeconds();
    let row = windows.get(key);
    if (!row || row.window_start <= now - windowSeconds) {
      windows.delete(key); // re-inserted last: Map order is the eviction order
      row = { window_start: now, count: 0 };
      windows.set(key, row);
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value!);
    }
    row.count += 1;
    return row;
  };
  return {
    async retryAfter(key, limit) {
      return retryAfterOf(windows.get(key), limit, nowSeconds());
    },
    async hit(key, limit) {
      return count(key, limit.windowSeconds).count;
    },
    async attempt(...keys) {
      const now = nowSeconds();
      let wait = 0;
      for (const [key, limit] of keys) {
        const row = count(key, limit.windowSeconds);
        if (row.count > limit.max) wait = Math.max(wait, row.window_start + limit.windowSeconds - now, 1);
      }
      return wait;
    },
    async reset(key) {
      windows.delete(key);
    },
    async refund(key) {
      const row = windows.get(key);
      if (row && row.count > 0) row.count -= 1;
    },
    async purge(olderThanSeconds) {
      const cutoff = nowSeconds() - olderThanSeconds;
      let purged = 0;
      for (const [key, row] of windows) if (row.window_start <= cutoff && windows.delete(key)) purged++;
      return purged;
    },
  };
}

/** `primary`, or in-process counting for each call that `primary` cannot answer. */
export function withInProcessFallback(primary: RateLimiter, fallback: RateLimiter = memoryRateLimiter()): RateLimiter {
  let degraded = false;
  const either = <A extends unknown[], R>(call: (limiter: RateLimiter, ...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      const result = await call(primary, ...args);
      if (degraded) log.info('rate limits: the shared store answers again');
      degraded = false;
      return result;
    } catch (error) {
      if (!isDependencyFailure(error)) throw error;
      if (!degraded) log.warn(`rate limits: the shared store does not answer, counting in this process meanwhile (${(error as Error)?.message ?? String(error)})`);
      degraded = true;
      return call(fallback, ...args);
    }
  };
  return {
    retryAfter: either((l, key: string, limit: Parameters<RateLimiter['retryAfter']>[1]) => l.retryAfter(key, limit)),
    hit: either((l, key: string, limit: Parameters<RateLimiter['hit']>[1]) => l.hit(key, limit)),
    attempt: either((l, ...keys: Parameters<RateLimiter['attempt']>) => l.attempt(...keys)),
    reset: either((l, key: string) => l.reset(key)),
    refund: either((l, key: string) => l.refund(key)),
    purge: either((l, olderThanSeconds: number) => l.purge(olderThanSeconds)),
  };
}
