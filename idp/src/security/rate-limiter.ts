/**
 * Fixed-window counters kept in the store, so limits hold across worker processes and restarts.
 *
 * For guessing defences (passwords, codes) use `attempt` BEFORE the slow check: it counts the attempt
 * atomically and says whether it is over the limit, so parallel guesses cannot all slip past a
 * check-then-count window. After a success, `reset` the per-account key and `refund` shared ones (IP).
 * `retryAfter` only reads; `hit` counts without deciding.
 */
import { AppError } from '../errors.ts';
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export function rateLimiter(db: Db) {
  const get = db.prepare('SELECT window_start, count FROM rate_limits WHERE key = ?');
  const upsert = db.prepare(`INSERT INTO rate_limits (key, window_start, count) VALUES (@key, @start, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN window_start <= @expired THEN 1 ELSE count + 1 END,
      window_start = CASE WHEN window_start <= @expired THEN @start ELSE window_start END
    RETURNING window_start, count`);
  const del = db.prepare('DELETE FROM rate_limits WHERE key = ?');
  const refund = db.prepare('UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0');
  return {
    /** Seconds until the key may be used again, or 0 when it is under its limit. */
    retryAfter(key: string, limit: Limit): number {
      const row = get.get(key) as { window_start: number; count: number } | undefined;
      const now = nowSeconds();
      if (!row || row.window_start <= now - limit.windowSeconds || row.count < limit.max) return 0;
      return row.window_start + limit.windowSeconds - now;
    },
    hit(key: string, limit: Limit): number {
      const now = nowSeconds();
      const row = upsert.get({ key, start: now, expired: now - limit.windowSeconds }) as { window_start: number; count: number };
      return row.count;
    },
    /**
     * Counts one attempt on every key (in one transaction) and returns the seconds to wait when any is
     * now over its limit, else 0. The attempt counts even when refused.
     */
    attempt(...keys: [key: string, limit: Limit][]): number {
      return db.transaction(() => {
        const now = nowSeconds();
        let wait = 0;
        for (const [key, limit] of keys) {
          const row = upsert.get({ key, start: now, expired: now - limit.windowSeconds }) as { window_start: number; count: number };
          if (row.count > limit.max) wait = Math.max(wait, row.window_start + limit.windowSeconds - now, 1);
        }
        return wait;
      }).immediate();
    },
    reset(key: string): void {
      del.run(key);
    },
    /** Gives back one attempt (a success should not use up a shared budget such as an IP's). */
    refund(key: string): void {
      refund.run(key);
    },
    purge(olderThanSeconds: number): number {
      return db.prepare('DELETE FROM rate_limits WHERE window_start <= ?').run(nowSeconds() - olderThanSeconds).changes;
    },
  };
}

export type RateLimiter = ReturnType<typeof rateLimiter>;

/** The one "slow down" answer for guessing defences. */
export function tooManyAttempts(waitSeconds: number, message = 'Too many failed attempts.'): AppError {
  return new AppError('too_many_requests', `${message} Try again in ${Math.ceil(waitSeconds / 60)} minute(s).`, {
    headers: { 'Retry-After': String(waitSeconds) },
  });
}
