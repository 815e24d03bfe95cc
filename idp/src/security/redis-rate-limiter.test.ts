/** The Redis rate limiter (run when IDP_TEST_REDIS_URL is set; each test under its own prefix). */
import { describe, expect, it } from 'vitest';
import { testRedisUrl, useTestRedis } from '../../../test/helpers/test-redis.ts';
import { clock } from '../clock.ts';
import { redisRateLimiter } from './redis-rate-limiter.ts';

describe.skipIf(!testRedisUrl)('Redis rate limiter', () => {
  const redis = useTestRedis();

  it('counts fixed windows like the SQL limiter', async () => {
    const limiter = redisRateLimiter(redis.store());
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
