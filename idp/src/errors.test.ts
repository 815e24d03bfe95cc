import { describe, expect, it } from 'vitest';
import { AppError, dependencyUnavailable, isDependencyFailure } from './errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDependencyFailure', () => {
  it('recognises network, PostgreSQL, pg-pool, ioredis and SQLite "not now" errors', () => {
    for (const error of [
      withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('ETIMEDOUT'),
      withCode('57014', 'canceling statement due to statement timeout'), withCode('55P03', 'lock timeout'),
      withCode('08006'), withCode('53300', 'too many connections'), withCode('57P01', 'terminating connection due to administrator command'),
      new Error('Query read timeout'), new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'), new Error('Command timed out'), new Error('Connection is closed.'),
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
      withCode('SQLITE_BUSY', 'database is locked'),
      new AggregateError([withCode('ECONNREFUSED')], ''),
      new Error('wrapped', { cause: withCode('ECONNRESET') }),
      dependencyUnavailable(),
    ]) expect(isDependencyFailure(error), String((error as Error).message)).toBe(true);
  });

  it('leaves the caller\'s errors alone (constraint violations, bad SQL, our own 4xx)', () => {
    for (const error of [
      withCode('23505', 'duplicate key'), withCode('23503'), withCode('42P01', 'relation does not exist'),
      withCode('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), withCode('SQLITE_CONSTRAINT_UNIQUE'),
      new Error('boom'), new AppError('not_found', 'No such page.'), undefined, null, 'text',
    ]) expect(isDependencyFailure(error), String(error)).toBe(false);
  });

  it('gives a 503 with Retry-After and a sentence for people', () => {
    const error = dependencyUnavailable();
    expect(error.status).toBe(503);
    expect(error.code).toBe('dependency_unavailable');
    expect(Number(error.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(error.message).toMatch(/try again/i);
  });
});
