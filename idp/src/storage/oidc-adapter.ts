/**
 * The oidc-provider storage contract on the shared SQLite store. One table holds every model; the
 * secondary keys the library needs (grant id, session uid, user code) and the account id are columns
 * with indexes, so an account's sessions and grants can be listed and revoked together.
 *
 * Writes are group-committed: every write asked for during one turn of the event loop goes into one
 * transaction, run right after that turn, and each caller's promise settles once its write is committed.
 * A commit (WAL append, lock, shared-memory index) costs more than the row itself, and under load many
 * requests write in the same turn, so this divides the commits (and the cross-process lock hand-offs
 * between workers) by the concurrency. Callers await their writes, so read-after-write still holds.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from './database.ts';
import { nowSeconds } from './database.ts';

interface Row {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

export class SqliteOidcAdapter implements Adapter {
  readonly #model: string;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #write: (work: () => void) => Promise<void>;

  constructor(model: string, db: Db) {
    this.#model = model;
    ({ statements: this.#statements, write: this.#write } = storeFor(db));
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? nowSeconds() + expiresIn : null;
    const row = {
      model: this.#model,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      account_id: payload.accountId ?? null,
      expires_at: expiresAt,
    };
    return this.#write(() => this.#statements.upsert.run(row));
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#read(this.#statements.find.get(this.#model, id) as Row | undefined);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#read(this.#statements.findByUid.get(this.#model, uid) as Row | undefined);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#read(this.#statements.findByUserCode.get(this.#model, userCode) as Row | undefined);
  }

  async consume(id: string): Promise<void> {
    const now = nowSeconds();
    return this.#write(() => this.#statements.consume.run(now, this.#model, id));
  }

  async destroy(id: string): Promise<void> {
    return this.#write(() => this.#statements.destroy.run(this.#model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    return this.#write(() => this.#statements.revokeByGrantId.run(grantId));
  }

  #read(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }
}

interface Store {
  statements: ReturnType<typeof prepare>;
  write: (work: () => void) => Promise<void>;
}

const cache = new WeakMap<Db, Store>();

function storeFor(db: Db): Store {
  let store = cache.get(db);
  if (!store) {
    store = { statements: prepare(db), write: groupCommit(db) };
    cache.set(db, store);
  }
  return store;
}

interface PendingWrite {
  work: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Queues writes and commits each turn's writes in one transaction, in the order they were asked for. */
function groupCommit(db: Db): (work: () => void) => Promise<void> {
  let queue: PendingWrite[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    try {
      db.transaction(() => {
        for (const pending of batch) pending.work();
      }).immediate();
    } catch {
      // One bad write must not fail its neighbours: replay them one by one, each in its own commit.
      for (const pending of batch) {
        try {
          pending.work();
        } catch (error) {
          pending.reject(error);
          pending.reject = () => {};
          pending.resolve = () => {};
        }
      }
    }
    for (const pending of batch) pending.resolve();
  };
  return (work) => new Promise<void>((resolve, reject) => {
    if (queue.length === 0) setImmediate(flush);
    queue.push({ work, resolve, reject });
  });
}

function prepare(db: Db) {
  return {
    upsert: db.prepare(`
      INSERT INTO oidc_models (model, id, payload, grant_id, uid, user_code, account_id, expires_at)
      VALUES (@model, @id, @payload, @grant_id, @uid, @user_code, @account_id, @expires_at)
      ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
        uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id,
        expires_at = excluded.expires_at`),
    find: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND id = ?'),
    findByUid: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND uid = ?'),
    findByUserCode: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND user_code = ?'),
    consume: db.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?'),
    destroy: db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    revokeByGrantId: db.prepare('DELETE FROM oidc_models WHERE grant_id = ?'),
  };
}

/** Deletes expired rows; run periodically. Returns how many were removed. */
export function purgeExpiredOidcModels(db: Db): number {
  return db.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSeconds()).changes;
}
