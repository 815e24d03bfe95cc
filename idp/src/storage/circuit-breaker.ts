/**
 * A circuit breaker per dependency (PostgreSQL, Redis), so a partition does not pile up every request
 * behind the timeouts: after `failures` dependency failures in a row (see `isDependencyFailure`) the
 * breaker opens and calls fail at once with `dependency_unavailable` (503 + Retry-After) for `openMs`;
 * then one call at a time is let through as a probe, and the first success closes it again.
 *
 * Invariant: only dependency failures count. A unique violation or a bad query is the caller's error and
 * says the dependency answered, so it closes the breaker like a success.
 */
import { dependencyUnavailable, isDependencyFailure } from '../errors.ts';

export interface CircuitBreaker {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** `closed`, `open` (failing fast), `half-open` (the next call probes) or `probing` (a probe is out). */
  state(): 'closed' | 'open' | 'half-open' | 'probing';
}

export function circuitBreaker(options: { failures?: number; openMs?: number; now?: () => number } = {}): CircuitBreaker {
  const threshold = options.failures ?? 5;
  const openMs = options.openMs ?? 2000;
  const now = options.now ?? Date.now;
  let consecutive = 0;
  let openUntil = 0;
  let probing = false;

  const succeeded = () => {
    consecutive = 0;
    openUntil = 0;
  };
  const failed = () => {
    consecutive += 1;
    if (consecutive >= threshold) openUntil = now() + openMs;
  };

  return {
    async run(fn) {
      let probe = false;
      if (openUntil > 0) {
        if (now() < openUntil || probing) throw dependencyUnavailable();
        probing = probe = true;
      }
      try {
        const result = await fn();
        succeeded();
        return result;
      } catch (error) {
        if (isDependencyFailure(error)) failed();
        else succeeded();
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
    state() {
      if (openUntil === 0) return 'closed';
      return probing ? 'probing' : now() < openUntil ? 'open' : 'half-open';
    },
  };
}
