import { describe, expect, it } from 'vitest';
import { setLogLevel } from '../log.ts';
import { memoryRateLimiter, withInProcessFallback } from './fallback-rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';

setLogLevel('silent');
const limit = { max: 2, windowSeconds: 60 };

function failing(error: Error): RateLimiter {
  const fail = async () => { throw error; };
  return { retryAfter: fail, hit: fail, attempt: fail, reset: fail, refund: fail, purge: fail };
}

describe('in-process fallback limiter', () => {
  it('counts fixed windows in memory and bounds the number of keys', async () => {
    const limiter = memoryRateLimiter({ maxKeys: 2 });
    expect(await limiter.hit('a', limit)).toBe(1);
    expect(await limiter.hit('a', limit)).toBe(2);
    expect(await limiter.retryAfter('a', limit)).toBeGreaterThan(0);
    expect(await limiter.attempt(['b', limit])).toBe(0);
    await limiter.hit('c', limit); // evicts 'a', the oldest window
    expect(await limiter.retryAfter('a', limit)).toBe(0);
  });

  it('falls back when the shared store does not answer, and only then', async () => {
    const down = Object.assign(new Error('Command timed out'), {});
    const limiter = withInProcessFallback(failing(down));
    expect(await limiter.retryAfter('ip', limit)).toBe(0);
    await limiter.hit('ip', limit);
    await limiter.hit('ip', limit);
    expect(await limiter.retryAfter('ip', limit)).toBeGreaterThan(0); // still limited, in this process
    const broken = withInProcessFallback(failing(new Error('a bug, not an outage')));
    await expect(broken.hit('ip', limit)).rejects.toThrow(/a bug/);
  });
});
