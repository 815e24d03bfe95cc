import { describe, expect, it } from 'vitest';
import { circuitBreaker } from './circuit-breaker.ts';

const down = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

describe('circuit breaker', () => {
  it('opens after consecutive dependency failures, fails fast, probes once after the pause, closes on success', async () => {
    let now = 1000;
    const breaker = circuitBreaker({ failures: 3, openMs: 500, now: () => now });
    for (let i = 0; i < 3; i++) await expect(breaker.run(down)).rejects.toThrow(/ECONNREFUSED/);
    expect(breaker.state()).toBe('open');
    let called = false;
    await expect(breaker.run(async () => (called = true))).rejects.toMatchObject({ code: 'dependency_unavailable', status: 503 });
    expect(called).toBe(false);

    now += 500;
    expect(breaker.state()).toBe('half-open');
    let release!: () => void;
    const probe = breaker.run(() => new Promise<string>((r) => (release = () => r('up'))));
    expect(breaker.state()).toBe('probing');
    await expect(breaker.run(async () => 'second')).rejects.toMatchObject({ code: 'dependency_unavailable' }); // one probe at a time
    release();
    expect(await probe).toBe('up');
    expect(breaker.state()).toBe('closed');
    expect(await breaker.run(async () => 'ok')).toBe('ok');
  });

  it('a failed probe opens it again; errors of the caller count as answers', async () => {
    let now = 0;
    const breaker = circuitBreaker({ failures: 2, openMs: 100, now: () => now });
    await expect(breaker.run(down)).rejects.toThrow();
    await expect(breaker.run(() => Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' })))).rejects.toThrow(/duplicate/);
    await expect(breaker.run(down)).rejects.toThrow();
    expect(breaker.state()).toBe('closed'); // the unique violation reset the count
    await expect(breaker.run(down)).rejects.toThrow();
    expect(breaker.state()).toBe('open');
    now += 100;
    await expect(breaker.run(down)).rejects.toThrow(/ECONNREFUSED/);
    expect(breaker.state()).toBe('open');
  });
});

describe('GuardedRedis', () => {
  it('fails commands within the command timeout while Redis is unreachable, then at once once the breaker opens', async () => {
    const net = await import('node:net');
    const { GuardedRedis } = await import('./circuit-breaker.ts');
    // A port nobody listens on: every connect is refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as import('node:net').AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const redis = new GuardedRedis({ host: '127.0.0.1', port, connectTimeout: 200, commandTimeout: 200, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => {});
    try {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        await expect(redis.get('k')).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(1500);
      }
      expect(redis.breaker.state()).toBe('open');
      const started = Date.now();
      await expect(redis.get('k')).rejects.toMatchObject({ code: 'dependency_unavailable' });
      expect(Date.now() - started).toBeLessThan(50);
    } finally {
      redis.disconnect();
    }
  });
});
