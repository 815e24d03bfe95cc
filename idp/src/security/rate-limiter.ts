/**
 * Fixed-window counters kept in the store, so limits hold across worker processes, instances and
 * restarts. `retryAfter` reads without counting; `hit` counts one event; `reset` clears a key (e.g.
 * after a success).
 */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Seconds until the key may be used again, or 0 when it is under its limit. */
  retryAfter(key: string, limit: Limit): Promise<number>;
  /** Counts one event; returns the count in the current window. */
  hit(key: string, limit: Limit): Promise<number>;
  reset(key: string): Promise<void>;
  /** Forgets windows older than this; returns how many. */
  purge(olderThanSeconds: number): Promise<number>;
}

/** Seconds until a window `{ start, count }` lets the key through again. */
export function retryAfterOf(row: { window_start: number; count: number } | undefined, limit: Limit, now: number): number {
  if (!row || row.window_start <= now - limit.windowSeconds || row.count < limit.max) return 0;
  return row.window_start + limit.windowSeconds - now;
}

const sql = {
  get: 'SELECT window_start, count FROM rate_limits WHERE key = ?',
  upsert: `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
      window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
    RETURNING window_start, count`,
  del: 'DELETE FROM rate_limits WHERE key = ?',
};

export function rateLimiter(db: Db): RateLimiter {
  return {
    async retryAfter(key, limit) {
      return retryAfterOf(await db.get<{ window_start: number; count: number }>(sql.get, [key]), limit, nowSeconds());
    },
    async hit(key, limit) {
      const now = nowSeconds();
      const expired = now - limit.windowSeconds;
      const row = await db.get<{ window_start: number; count: number }>(sql.upsert, [key, now, expired, expired]);
      return row!.count;
    },
    async reset(key) {
      await db.run(sql.del, [key]);
    },
    async purge(olderThanSeconds) {
      return (await db.run('DELETE FROM rate_limits WHERE window_start <= ?', [nowSeconds() - olderThanSeconds])).changes;
    },
  };
}
