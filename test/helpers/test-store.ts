/**
 * A fresh, migrated store for one unit test (or one suite): a temporary SQLite file by default, or, in
 * the `unit-postgres` vitest project (IDP_TEST_STORE=postgres with IDP_TEST_POSTGRES_URL set), a fresh
 * PostgreSQL database created beside IDP_TEST_POSTGRES_URL. `dispose()` closes the store and deletes
 * the file or drops the database. Tests write their fixtures through the Store methods (never the
 * SQLite handle), so the same test runs on both engines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore, openStore, type Store } from '../../idp/src/storage/store.ts';
import { createTestDatabase, testOnPostgres } from './postgres.ts';

export interface TestStore {
  store: Store;
  dispose(): Promise<void>;
}

/** The engine the unit tests of this run use. */
export const testStoreEngine: 'sqlite' | 'postgres' = testOnPostgres ? 'postgres' : 'sqlite';

export async function openTestStore(): Promise<TestStore> {
  if (testOnPostgres) {
    const database = await createTestDatabase();
    // A small pool: unit tests run several files at once against one server.
    const store = await openStore({ databaseUrl: database.url, poolSize: 4 }).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-store-'));
  const store = openSqliteStore(path.join(dir, 'idp.sqlite'));
  return {
    store,
    dispose: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
