/**
 * The SQLite store's async transactions: one at a time, and nothing of another request ever runs inside
 * one (so a rollback takes back only its own writes). Found by review: a lock checked before an `await`
 * and taken after it let two transactions open together and a plain write land inside a failing one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { latestSchemaVersion, migrations, SchemaTooNewError } from './migrations.ts';
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

/** A SQLite file at schema `version`, as an older IdP left it: the migrations up to it, and its user_version. */
function sqliteAtVersion(version: number): { file: string; raw: Database.Database } {
  const file = path.join(dir, `v${version}.sqlite`);
  const raw = new Database(file);
  for (const m of migrations.filter((m) => m.version <= version)) raw.exec(m.sql);
  raw.pragma(`user_version = ${version}`);
  return { file, raw };
}

describe('migration 5 (api_keys.seq on SQLite)', () => {
  it('numbers existing keys in rowid order and new keys after them', async () => {
    const { file, raw } = sqliteAtVersion(4);
    raw.exec("INSERT INTO accounts (id, email, name, created_at, updated_at) VALUES ('acc_1', 'a@example.com', 'A', 0, 0)");
    const insert = raw.prepare(`INSERT INTO api_keys (id, account_id, visible_id, description, scope, secret_hash, created_at, expires_at)
      VALUES (?, 'acc_1', ?, '', 'read', '', 0, 10)`);
    for (const id of ['k3', 'k1', 'k2']) insert.run(id, `v_${id}`);
    raw.close();
    const upgraded = openSqliteStore(file);
    try {
      await upgraded.run(`INSERT INTO api_keys (id, account_id, visible_id, description, scope, secret_hash, created_at, expires_at)
        VALUES ('k0', 'acc_1', 'v_k0', '', 'read', '', 0, 10)`);
      expect(await upgraded.all('SELECT id, seq FROM api_keys ORDER BY seq')).toEqual([
        { id: 'k3', seq: 1 }, { id: 'k1', seq: 2 }, { id: 'k2', seq: 3 }, { id: 'k0', seq: 4 },
      ]);
    } finally {
      await upgraded.close();
    }
  });

  it('migration 10 marks a store with data for the start-up sealing step, and leaves a fresh one empty', async () => {
    const { file, raw } = sqliteAtVersion(9);
    raw.exec("INSERT INTO server_settings (name, value) VALUES ('cookie_secrets', '[\"k\"]')");
    raw.close();
    const upgraded = openSqliteStore(file);
    try {
      expect(await upgraded.get("SELECT value FROM server_settings WHERE name = 'oidc_ids'")).toEqual({ value: 'clear' });
    } finally {
      await upgraded.close();
    }
    expect(await store.all('SELECT name FROM server_settings')).toEqual([]);
  });
});

describe('the unit-postgres project', () => {
  it('lists every unit test that opens a store through test-store.ts', () => {
    const root = path.join(import.meta.dirname, '..', '..', '..');
    const config = fs.readFileSync(path.join(root, 'vitest.config.ts'), 'utf8');
    const missing: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, 'idp', 'src'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.test.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const relative = path.relative(root, file).split(path.sep).join('/');
      const opensStore = /from '(\.\.\/)+test\/helpers\/test-store\.ts'/.test(fs.readFileSync(file, 'utf8'));
      if (opensStore && !config.includes(`'${relative}'`)) missing.push(relative);
    }
    expect(missing).toEqual([]);
  });
});

describe('the escape hatch', () => {
  const sources = () => {
    const root = path.join(import.meta.dirname, '..');
    return fs.readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));
  };

  it('is store.pick only: no application code branches on store.dialect', () => {
    const offenders = sources().filter((s) => /\.dialect\s*[!=]==?|dialect\s*\)\s*\{|switch\s*\([^)]*dialect/.test(s.text));
    expect(offenders.map((s) => s.file)).toEqual([]);
  });

  it('leaves no query ordering by SQLite\'s implicit rowid (migrations aside): both engines have the same columns', () => {
    const offenders = sources().filter((s) => !/^storage\/migrations/.test(s.file) && /\browid\b/i.test(s.text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')));
    expect(offenders.map((s) => s.file)).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('SQLite file modes (issue 13)', () => {
  it('creates the database, its -wal and -shm 0600 whatever the umask, and narrows an older store and data directory', async () => {
    await store.run('INSERT INTO t (v) VALUES (1)');
    const file = path.join(dir, 'idp.sqlite');
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect((fs.statSync(name).mode & 0o777).toString(8), name).toBe('600');

    const data = path.join(dir, 'data');
    fs.mkdirSync(data, { mode: 0o755 });
    fs.chmodSync(data, 0o755);
    const older = path.join(data, 'idp.sqlite');
    new Database(older).close();
    fs.chmodSync(older, 0o644);
    const previous = process.umask(0o000);
    try {
      const reopened = openSqliteStore(older);
      await reopened.exec('CREATE TABLE u (v INTEGER)');
      for (const name of [older, `${older}-wal`, `${older}-shm`]) expect((fs.statSync(name).mode & 0o777).toString(8), name).toBe('600');
      await reopened.close();
      const fresh = openSqliteStore(path.join(dir, 'fresh', 'idp.sqlite'));
      await fresh.exec('CREATE TABLE u (v INTEGER)');
      expect((fs.statSync(path.join(dir, 'fresh', 'idp.sqlite-wal')).mode & 0o777).toString(8)).toBe('600');
      await fresh.close();
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(data).mode & 0o007).toBe(0);
    expect(fs.statSync(path.join(dir, 'fresh')).mode & 0o077).toBe(0);
  });
});
