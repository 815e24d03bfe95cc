/**
 * Fresh PostgreSQL databases for tests. When IDP_TEST_POSTGRES_URL is set (`.ci/run` sets it when a
 * server answers), the `postgres` vitest project (IDP_TEST_STORE=postgres) gives every test IdP its own
 * database, created empty and dropped afterwards, so suites run in parallel without seeing each other.
 * Tests that need PostgreSQL whatever the project (export/import, several instances) use it when the
 * URL is set and are skipped otherwise.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const testPostgresUrl = process.env.IDP_TEST_POSTGRES_URL || undefined;
export const testRedisUrl = process.env.IDP_TEST_REDIS_URL || undefined;
/** True in the `postgres` vitest project: test IdPs store everything in PostgreSQL. */
export const testOnPostgres = process.env.IDP_TEST_STORE === 'postgres' && testPostgresUrl !== undefined;

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(baseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database next to the one `baseUrl` names and returns its URL. */
export async function createTestDatabase(baseUrl = testPostgresUrl): Promise<TestDatabase> {
  if (!baseUrl) throw new Error('IDP_TEST_POSTGRES_URL is not set');
  const name = `latchkey_test_${crypto.randomBytes(6).toString('hex')}`;
  await admin(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(baseUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}

/** Deletes every Redis key under `prefix` (a test IdP's short-lived state). */
export async function clearRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
