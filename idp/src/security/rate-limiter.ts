/**
 * Fixed-window counters kept in the store, so limits hold across worker processes, instances and
 * restarts.
 *
 * For guessing defences (passwords, codes) use `attempt` BEFORE the slow check: it counts the attempt
 * atomically and says whether it is over the limit, so parallel guesses cannot all slip past a
 * check-then-count window. After a success, `reset` the per-account key and `refund` shared ones (IP).
 * `retryAfter` only reads; `hit` counts without deciding.
 */
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../clock.ts';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Seconds until the key may be used again, or 0 when it is under its limit. */
  retryAfter(key: string, limit: Limit): Promise<number>;
  /** Counts one event; returns the count in the current window. */
  hit(key: string, limit: Limit): Promise<number>;
  /**
   * Counts one attempt on every key (in one transaction) and returns the seconds to wait when any is
   * now over its limit, else 0. The attempt counts even when refused.
   */
  attempt(...keys: [key: string, limit: Limit][]): Promise<number>;
  reset(key: string): Promise<void>;
  /** Gives back one attempt (a success should not use up a shared budget such as an IP's). */
  refund(key: string): Promise<void>;
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
    async attempt(...keys) {
      // Each upsert is atomic on its own; SQLite batches them in one commit, PostgreSQL needs no lock.
      const count = async () => {
        const now = nowSeconds();
        let wait = 0;
        for (const [key, limit] of keys) {
          const expired = now - limit.windowSeconds;
          const row = (await db.get<{ window_start: number; count: number }>(sql.upsert, [key, now, expired, expired]))!;
          if (row.count > limit.max) wait = Math.max(wait, row.window_start + limit.windowSeconds - now, 1);
        }
        return wait;
      };
      return db.pick(() => db.transaction(count), count)();
    },
    async reset(key) {
      await db.run(sql.del, [key]);
    },
    async refund(key) {
      await db.run('UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0', [key]);
    },
    async purge(olderThanSeconds) {
      return (await db.run('DELETE FROM rate_limits WHERE window_start <= ?', [nowSeconds() - olderThanSeconds])).changes;
    },
  };
}

/** The one "slow down" answer for guessing defences. */
export function tooManyAttempts(waitSeconds: number, message: string = msg('Too many failed attempts.')): AppError {
  return new AppError('too_many_requests', message, {
    followedBy: { key: msg('Try again in {{count}} minutes.'), params: { count: Math.max(1, Math.ceil(waitSeconds / 60)) } },
    headers: { 'Retry-After': String(waitSeconds) },
  });
}
