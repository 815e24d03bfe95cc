/**
 * Fixed-window counters kept in the store, so limits hold across worker processes and restarts.
 * `check` reads without counting; `hit` counts one event; `reset` clears a key (e.g. after a success).
 */
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
    reset(key: string): void {
      del.run(key);
    },
    purge(olderThanSeconds: number): number {
      return db.prepare('DELETE FROM rate_limits WHERE window_start <= ?').run(nowSeconds() - olderThanSeconds).changes;
    },
  };
}

export type RateLimiter = ReturnType<typeof rateLimiter>;
