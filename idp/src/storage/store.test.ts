/**
 * The SQLite store's async transactions: one at a time, and nothing of another request ever runs inside
 * one (so a rollback takes back only its own writes). Found by review: a lock checked before an `await`
 * and taken after it let two transactions open together and a plain write land inside a failing one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, SchemaTooNewError } from './migrations.ts';
import { openSqliteStore, openStore, type SqliteStore } from './store.ts';

let dir: string;
let store: SqliteStore;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));
  store = openSqliteStore(path.join(dir, 'idp.sqlite'));
  await store.exec('CREATE TABLE t (v INTEGER)');
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const values = async () => (await store.all<{ v: number }>('SELECT v FROM t ORDER BY v')).map((r) => r.v);

describe('SqliteStore transactions', () => {
  it('queue behind an open one, and a rollback takes back only its own writes', async () => {
    const slow = store.transaction(async () => {
      await sleep(20); // e.g. Redis I/O inside the transaction
      await store.run('INSERT INTO t VALUES (0)');
    });
    await sleep(1);
    const failing = store.transaction(async () => {
      await store.run('INSERT INTO t VALUES (1)');
      await sleep(30);
      throw new Error('rolls back');
    });
    const other = store.transaction(async () => {
      await store.run('INSERT INTO t VALUES (2)');
    });
    const plain = (async () => {
      await sleep(25);
      await store.run('INSERT INTO t VALUES (3)');
    })();
    const results = await Promise.allSettled([slow, failing, other, plain]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('rolls back');
    expect(await values()).toEqual([0, 2, 3]);
  });

  it('starts two transactions of the same tick one after the other', async () => {
    const both = await Promise.allSettled([
      store.transaction(async () => {
        await store.run('INSERT INTO t VALUES (1)');
        await sleep(5);
        throw new Error('first rolls back');
      }),
      store.transaction(async () => {
        await store.run('INSERT INTO t VALUES (2)');
      }),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await values()).toEqual([2]);
  });
});

describe('migrations', () => {
  it('are applied once and refuse a newer schema', async () => {
    expect(await store.schemaVersion()).toBe(latestSchemaVersion);
    expect(await store.migrate()).toBe(latestSchemaVersion);
    await store.exec(`PRAGMA user_version = ${latestSchemaVersion + 1}`);
    await expect(store.migrate()).rejects.toThrow(SchemaTooNewError);
    const file = path.join(dir, 'idp.sqlite');
    await expect(openStore({ sqliteFile: file })).rejects.toThrow(SchemaTooNewError);
    await expect(openStore({ sqliteFile: file, migrate: false })).rejects.toThrow(SchemaTooNewError);
  });

  it.skipIf(!process.env.IDP_TEST_POSTGRES_URL)('are applied once on PostgreSQL and refuse a newer schema there too', async () => {
    const { createTestDatabase } = await import('../../../test/helpers/postgres.ts');
    const database = await createTestDatabase(process.env.IDP_TEST_POSTGRES_URL);
    try {
      const pgStore = await openStore({ databaseUrl: database.url });
      expect(await pgStore.schemaVersion()).toBe(latestSchemaVersion);
      expect(await pgStore.migrate()).toBe(latestSchemaVersion);
      await pgStore.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [latestSchemaVersion + 1, 'future', 0]);
      await pgStore.close();
      await expect(openStore({ databaseUrl: database.url })).rejects.toThrow(SchemaTooNewError);
      await expect(openStore({ databaseUrl: database.url, migrate: false })).rejects.toThrow(SchemaTooNewError);
    } finally {
      await database.drop();
    }
  });
});

describe('the escape hatch', () => {
  it('is store.pick only: no application code branches on store.dialect', () => {
    const root = path.join(import.meta.dirname, '..');
    const offenders: string[] = [];
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || entry.name.endsWith('.test.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (/\.dialect\s*[!=]==?|dialect\s*\)\s*\{|switch\s*\([^)]*dialect/.test(fs.readFileSync(file, 'utf8'))) offenders.push(path.relative(root, file));
    }
    expect(offenders).toEqual([]);
  });
});
