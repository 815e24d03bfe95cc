/**
 * A Redis for one unit-test file (when IDP_TEST_REDIS_URL is set): each test gets its own key prefix,
 * and afterwards its keys are deleted and the clock is reset.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { clock } from '../../idp/src/clock.ts';
import { openRedis, type ShortLivedStore } from '../../idp/src/storage/redis.ts';

export const testRedisUrl = process.env.IDP_TEST_REDIS_URL;

/** Registers the hooks; call inside a `describe.skipIf(!testRedisUrl)`; `store()` is the current test's. */
export function useTestRedis(): { store(): ShortLivedStore } {
  let current: ShortLivedStore | undefined;
  beforeEach(() => {
    current = openRedis(testRedisUrl!, `lkunit:${crypto.randomBytes(6).toString('hex')}:`);
  });
  afterEach(async () => {
    clock.offsetMs = 0;
    if (!current) return;
    const keys = await current.redis.keys(`${current.prefix}*`);
    if (keys.length) await current.redis.del(...keys);
    await current.close();
    current = undefined;
  });
  return {
    store() {
      if (!current) throw new Error('useTestRedis: the store exists only inside a test.');
      return current;
    },
  };
}
