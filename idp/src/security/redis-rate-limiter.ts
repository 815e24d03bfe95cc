/**
 * Rate limits in Redis (IDP_REDIS_URL): the same fixed windows as the SQL limiter (rate-limiter.ts), one
 * hash per key `rl:<key>` under the Redis prefix, holding the window start (by the IdP's clock) and the
 * count, changed by Lua scripts so each step is atomic. The TTL only cleans up finished windows.
 */
import { nowSeconds } from '../clock.ts';
import type { ShortLivedStore } from '../storage/redis.ts';
import { retryAfterOf, type Limit, type RateLimiter } from './rate-limiter.ts';

export function redisRateLimiter(store: ShortLivedStore): RateLimiter {
  const { redis } = store;
  const key = (k: string) => `${store.prefix}rl:${k}`;
  // ARGV: now, window seconds. Returns { window start, count } after counting one event.
  const HIT = `local now = tonumber(ARGV[1])
    local win = tonumber(ARGV[2])
    local start = tonumber(redis.call('HGET', KEYS[1], 's') or '-1')
    if start < 0 or start <= now - win then
      redis.call('HSET', KEYS[1], 's', now, 'c', 1)
      redis.call('EXPIRE', KEYS[1], win + 60)
      return {now, 1}
    end
    return {start, redis.call('HINCRBY', KEYS[1], 'c', 1)}`;
  const REFUND = `local c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
    if c > 0 then redis.call('HINCRBY', KEYS[1], 'c', -1) end
    return 0`;
  const hit = async (k: string, limit: Limit) => {
    const [start, count] = (await redis.eval(HIT, 1, key(k), String(nowSeconds()), String(limit.windowSeconds))) as [number, number];
    return { window_start: Number(start), count: Number(count) };
  };
  return {
    async retryAfter(k, limit) {
      const [start, count] = await redis.hmget(key(k), 's', 'c');
      const row = start === null || count === null ? undefined : { window_start: Number(start), count: Number(count) };
      return retryAfterOf(row, limit, nowSeconds());
    },
    async hit(k, limit) {
      return (await hit(k, limit)).count;
    },
    async attempt(...keys) {
      const now = nowSeconds();
      let wait = 0;
      for (const [k, limit] of keys) {
        const row = await hit(k, limit);
        if (row.count > limit.max) wait = Math.max(wait, row.window_start + limit.windowSeconds - now, 1);
      }
      return wait;
    },
    async reset(k) {
      await redis.del(key(k));
    },
    async refund(k) {
      await redis.eval(REFUND, 1, key(k));
    },
    async purge() {
      return 0; // finished windows expire by themselves
    },
  };
}
