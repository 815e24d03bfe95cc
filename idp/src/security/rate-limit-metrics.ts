/**
 * Rate-limit rejections for the metrics (idp_rate_limit_rejections_total), counted in one place: a
 * `RateLimiter` that forwards to the real one and, when `attempt` refuses, names the limit(s) over.
 * Limits that refuse after a read (`retryAfter` > 0, then a 429) count themselves with `countRejection`.
 *
 * A limit's name is its counter key family: the key's first segment and, when the second is one of the
 * scopes below, that too (`signin:ip`, `signup:address`, `2fa:account`). Keys carry emails, ids and
 * addresses after that; none of it ever reaches a label.
 */
import { metrics } from '../observability/metrics.ts';
import type { RateLimiter } from './rate-limiter.ts';

const SCOPES = new Set(['ip', 'account', 'account-ip', 'device', 'address', 'database', 'owner', 'options', 'auth-fail', 'jti']);

export function limitName(key: string): string {
  const [family = '', scope = ''] = key.split(':', 2);
  const name = /^[a-z0-9_-]{1,40}$/.test(family) ? family : 'other';
  return SCOPES.has(scope) ? `${name}:${scope}` : name;
}

export function countRejection(key: string): void {
  metrics.rateLimited(limitName(key));
}

export function countingRejections(limiter: RateLimiter): RateLimiter {
  return {
    ...limiter,
    async attempt(...keys) {
      const wait = await limiter.attempt(...keys);
      if (wait === 0) return wait;
      if (keys.length === 1) {
        countRejection(keys[0]![0]);
        return wait;
      }
      // Only on a refusal (rare, and cheap next to the work it saves): which of the keys are over.
      const over = new Set<string>();
      for (const [key, limit] of keys) {
        if (await limiter.retryAfter(key, limit).catch(() => 0) > 0) over.add(limitName(key));
      }
      for (const name of over.size ? over : [limitName(keys[0]![0])]) metrics.rateLimited(name);
      return wait;
    },
  };
}
