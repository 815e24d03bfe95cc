/**
 * A circuit breaker per dependency (PostgreSQL, Redis), so a partition does not pile up every request
 * behind the timeouts: after `failures` dependency failures in a row (see `isDependencyFailure`) the
 * breaker opens and calls fail at once with `dependency_unavailable` (503 + Retry-After) for `openMs`;
 * then one call at a time is let through as a probe, and the first success closes it again.
 *
 * Invariant: only dependency failures count. A unique violation or a bad query is the caller's error and
 * says the dependency answered, so it closes the breaker like a success.
 */
import { Redis } from 'ioredis';
import { dependencyUnavailable, isDependencyFailure } from '../errors.ts';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'probing';

export interface CircuitBreaker {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** For callers that cannot wrap a function: true to go ahead (then `settle` once), false to fail fast. */
  admit(): { probe: boolean } | undefined;
  settle(ticket: { probe: boolean }, error?: unknown): void;
  /** `closed`, `open` (failing fast), `half-open` (the next call probes) or `probing` (a probe is out). */
  state(): BreakerState;
}

export function circuitBreaker(options: { failures?: number; openMs?: number; now?: () => number } = {}): CircuitBreaker {
  const threshold = options.failures ?? 5;
  const openMs = options.openMs ?? 2000;
  const now = options.now ?? Date.now;
  let consecutive = 0;
  let openUntil = 0;
  let probing = false;

  const breaker: CircuitBreaker = {
    admit() {
      if (openUntil === 0) return { probe: false };
      if (now() < openUntil || probing) return undefined;
      probing = true;
      return { probe: true };
    },
    settle(ticket, error) {
      if (ticket.probe) probing = false;
      if (error !== undefined && isDependencyFailure(error)) {
        consecutive += 1;
        if (consecutive >= threshold) openUntil = now() + openMs;
      } else {
        consecutive = 0;
        openUntil = 0;
      }
    },
    async run(fn) {
      const ticket = breaker.admit();
      if (!ticket) throw dependencyUnavailable();
      try {
        const result = await fn();
        breaker.settle(ticket);
        return result;
      } catch (error) {
        breaker.settle(ticket, error ?? new Error('rejected without a reason'));
        throw error;
      }
    },
    state() {
      if (openUntil === 0) return 'closed';
      return probing ? 'probing' : now() < openUntil ? 'open' : 'half-open';
    },
  };
  return breaker;
}

type SendCommand = Redis['sendCommand'];

/**
 * ioredis with a breaker on its single commands. Pipelines and MULTI (sent with a stream) pass
 * unguarded, so a transaction is never cut in half by a refusal between its commands; the connection
 * handshake (status `connect`) passes too, so a reconnect can complete while the breaker is open.
 * A subclass, not a patched instance: ioredis replaces and deletes `sendCommand` on the instance itself
 * while it connects.
 */
export class GuardedRedis extends Redis {
  readonly breaker = circuitBreaker();

  override sendCommand(...args: Parameters<SendCommand>): ReturnType<SendCommand> {
    const [command, stream] = args;
    if (stream !== undefined || this.status === 'connect' || this.status === 'wait') return super.sendCommand(...args);
    const ticket = this.breaker.admit();
    if (!ticket) {
      command.reject(dependencyUnavailable());
      return command.promise;
    }
    const promise = super.sendCommand(...args);
    (promise as Promise<unknown>).then(() => this.breaker.settle(ticket), (error: unknown) => this.breaker.settle(ticket, error ?? new Error('rejected')));
    return promise;
  }
}
