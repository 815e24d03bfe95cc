/** The Redis rate limiter (run when IDP_TEST_REDIS_URL is set; each test under its own prefix). */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { openRedis, type ShortLivedStore } from '../storage/redis.ts';
import { redisRateLimiter } from './redis-rate-limiter.ts';

const url = process.env.IDP_TEST_REDIS_URL;
let store: ShortLivedStore;

describe.skipIf(!url)('Redis rate limiter', () => {
  beforeEach(() => {
    store = openRedis(url!, `lkunit:${crypto.randomBytes(6).toString('hex')}:`);
  });
  afterEach(async () => {
    clock.offsetMs = 0;
    const keys = await store.redis.keys(`${store.prefix}*`);
    if (keys.length) await store.redis.del(...keys);
    await store.close();
  });

  it('counts fixed windows like the SQL limiter', async () => {
    const limiter = redisRateLimiter(store);
    const limit = { max: 2, windowSeconds: 60 };
    expect(await limiter.attempt(['k', limit])).toBe(0);
    expect(await limiter.attempt(['k', limit])).toBe(0);
    expect(await limiter.attempt(['k', limit])).toBeGreaterThan(0);
    expect(await limiter.retryAfter('k', limit)).toBeGreaterThan(55);
    clock.offsetMs = 61_000; // windows follow the IdP clock
    expect(await limiter.retryAfter('k', limit)).toBe(0);
    clock.offsetMs = 0;
    await limiter.refund('k');
    expect(await limiter.hit('k', limit)).toBe(3);
    await limiter.reset('k');
    expect(await limiter.retryAfter('k', limit)).toBe(0);
  });
});
