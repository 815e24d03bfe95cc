/** The abuse limits: their 429, their words, and the README table that must match them. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ABUSE_LIMITS, limitsTable, overLimit, refuseOverLimit, tryAgainIn } from './abuse-limits.ts';
import { translateText, translator } from '../i18n/translator.ts';
import type { RateLimiter } from './rate-limiter.ts';

const readme = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

/** An in-memory fixed-window limiter with the RateLimiter contract (the store's is tested with the store). */
function memoryLimiter(): RateLimiter {
  const rows = new Map<string, { start: number; count: number }>();
  const now = () => 1000;
  return {
    async retryAfter(key, limit) {
      const r = rows.get(key);
      return !r || r.count < limit.max ? 0 : r.start + limit.windowSeconds - now();
    },
    async hit(key) {
      const r = rows.get(key) ?? { start: now(), count: 0 };
      r.count += 1;
      rows.set(key, r);
      return r.count;
    },
    async attempt(...keys) {
      let wait = 0;
      for (const [key, limit] of keys) {
        const r = rows.get(key) ?? { start: now(), count: 0 };
        r.count += 1;
        rows.set(key, r);
        if (r.count > limit.max) wait = Math.max(wait, r.start + limit.windowSeconds - now());
      }
      return wait;
    },
    async reset(key) { rows.delete(key); },
    async refund() {},
    async purge() { return 0; },
  };
}

describe('abuse limits', () => {
  it('says when to try again in words a person reads, in English and French', () => {
    const say = (seconds: number, locale: 'en' | 'fr' = 'en') => {
      const { key, params } = tryAgainIn(seconds);
      return translateText(translator(locale), key, params);
    };
    expect(say(1)).toBe('Try again in 1 minute.');
    expect(say(59 * 60)).toBe('Try again in 59 minutes.');
    expect(say(5 * 3600 - 10)).toBe('Try again in 5 hours.');
    expect(say(10 * 24 * 3600)).toBe('Try again in 10 days.');
    expect(say(60, 'fr')).toBe('Réessayez dans 1\u00a0minute.');
    expect(say(10 * 24 * 3600, 'fr')).toBe('Réessayez dans 10\u00a0jours.');
  });

  it('answers 429 with Retry-After and the sentence of the limit that refused', async () => {
    const limiter = memoryLimiter();
    const keys: Parameters<typeof refuseOverLimit>[1] = [['db:1', ABUSE_LIMITS.invitationsPerDatabase], ['owner:1', ABUSE_LIMITS.invitationsPerOwner]];
    for (let i = 0; i < ABUSE_LIMITS.invitationsPerDatabase.max; i++) await refuseOverLimit(limiter, keys);
    const refused = await refuseOverLimit(limiter, keys).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, code: 'too_many_requests', headers: { 'Retry-After': String(24 * 3600) } });
    expect((refused as Error).message).toBe(`${ABUSE_LIMITS.invitationsPerDatabase.says} Try again in 24 hours.`);
    expect(overLimit('Slow down.', 0.2)).toMatchObject({ headers: { 'Retry-After': '1' }, message: 'Slow down. Try again in 1 minute.' });
  });

  it('is documented in the README exactly as configured', () => {
    expect(readme).toContain(limitsTable());
  });
});
