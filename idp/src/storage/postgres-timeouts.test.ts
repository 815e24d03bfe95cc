/**
 * The PostgreSQL store's timeouts on a real server (issue 20); skipped without IDP_TEST_POSTGRES_URL.
 * A dead address and a listener that never answers stand in for a server that is down or partitioned.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDependencyFailure } from '../errors.ts';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../../../test/helpers/postgres.ts';
import { openPostgresStore, PostgresStore } from './postgres-store.ts';

describe.runIf(testPostgresUrl)('PostgreSQL store timeouts', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('ends a statement at statement_timeout with an error classified as dependency_unavailable', async () => {
    const store = await openPostgresStore(database.url, { timeouts: { connectMs: 2000, statementMs: 300 } });
    try {
      const started = Date.now();
      const error = await store.get('SELECT pg_sleep(5)').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(isDependencyFailure(error)).toBe(true);
      expect(await store.get<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 }); // the pool recovers
    } finally {
      await store.close();
    }
  });

  it('bounds the wait for the write lock held by another instance', async () => {
    const holder = await openPostgresStore(database.url, { timeouts: { connectMs: 2000, statementMs: 10_000 } });
    const waiter = await openPostgresStore(database.url, { timeouts: { connectMs: 2000, statementMs: 300 } });
    let release!: () => void;
    const held = holder.transaction(() => new Promise<void>((r) => (release = r)));
    try {
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const error = await waiter.transaction(async () => 'never').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(isDependencyFailure(error)).toBe(true);
    } finally {
      release();
      await held;
      await holder.close();
      await waiter.close();
    }
  });

  it('gives up connecting to a server that accepts but never answers, and then fails fast (breaker)', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const store = new PostgresStore(`postgres://postgres@127.0.0.1:${(mute.address() as AddressInfo).port}/x`, 2, { connectMs: 200, statementMs: 300 });
    try {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const error = await store.get('SELECT 1').catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(1500);
        expect(isDependencyFailure(error)).toBe(true);
      }
      expect(store.breaker.state()).toBe('open');
      const started = Date.now();
      await expect(store.get('SELECT 1')).rejects.toMatchObject({ code: 'dependency_unavailable' });
      expect(Date.now() - started).toBeLessThan(50);
    } finally {
      for (const socket of sockets) socket.destroy();
      await store.close();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });
});
