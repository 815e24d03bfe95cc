/**
 * The SQLite store's async transactions: one at a time, and nothing of another request ever runs inside
 * one (so a rollback takes back only its own writes). Found by review: a lock checked before an `await`
 * and taken after it let two transactions open together and a plain write land inside a failing one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './store.ts';

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
