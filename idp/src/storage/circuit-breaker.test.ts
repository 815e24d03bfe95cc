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
