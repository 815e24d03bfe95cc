/**
 * The oidc-provider storage contract on the shared store (SQLite or PostgreSQL). One table holds every
 * model; the secondary keys the library needs (grant id, session uid, user code) and the account id are
 * columns with indexes, so an account's sessions and grants can be listed and revoked together.
 * This is the hottest path of the IdP: plain SQL, prepared once per text by the store.
 *
 * SQLite writes are group-committed: every write asked for during one turn of the event loop goes into
 * one transaction, run right after that turn, and each caller's promise settles once its write is
 * committed. A commit (WAL append, lock, shared-memory index) costs more than the row itself, and under
 * load many requests write in the same turn, so this divides the commits (and the cross-process lock
 * hand-offs between workers) by the concurrency. Callers await their writes, so read-after-write still
 * holds. PostgreSQL writes go straight to the pool (its commits are concurrent).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from './database.ts';
import { nowSeconds } from '../clock.ts';
import { outsideTransaction } from './transaction-context.ts';

interface Row {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

const sql = {
  upsert: `INSERT INTO oidc_models (model, id, payload, grant_id, uid, user_code, account_id, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
        uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id,
        expires_at = excluded.expires_at`,
  find: 'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND id = ?',
  findByUid: 'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND uid = ?',
  findByUserCode: 'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND user_code = ?',
  consume: 'UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?',
  destroy: 'DELETE FROM oidc_models WHERE model = ? AND id = ?',
  revokeByGrantId: 'DELETE FROM oidc_models WHERE grant_id = ?',
};

export class StoreOidcAdapter implements Adapter {
  readonly #model: string;
  readonly #db: Db;
  readonly #write: (sql: string, params: unknown[]) => Promise<void>;

  constructor(model: string, db: Db) {
    this.#model = model;
    this.#db = db;
    this.#write = writerFor(db);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? nowSeconds() + expiresIn : null;
    await this.#write(sql.upsert, [
      this.#model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null,
      payload.userCode ?? null, payload.accountId ?? null, expiresAt,
    ]);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#read(await this.#db.get<Row>(sql.find, [this.#model, id]));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#read(await this.#db.get<Row>(sql.findByUid, [this.#model, uid]));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#read(await this.#db.get<Row>(sql.findByUserCode, [this.#model, userCode]));
  }

  async consume(id: string): Promise<void> {
    await this.#write(sql.consume, [nowSeconds(), this.#model, id]);
  }

  async destroy(id: string): Promise<void> {
    await this.#write(sql.destroy, [this.#model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#write(sql.revokeByGrantId, [grantId]);
  }

  #read(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }
}

const writers = new WeakMap<Db, (sql: string, params: unknown[]) => Promise<void>>();

function writerFor(db: Db): (sql: string, params: unknown[]) => Promise<void> {
  let writer = writers.get(db);
  if (!writer) {
    writer = db.pick(groupCommit(db), async (text, params) => void (await db.run(text, params)));
    writers.set(db, writer);
  }
  return writer;
}

interface PendingWrite {
  sql: string;
  params: unknown[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Queues writes and commits each turn's writes in one transaction, in the order they were asked for. */
function groupCommit(db: Db): (sql: string, params: unknown[]) => Promise<void> {
  let queue: PendingWrite[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      await db.transaction(async () => {
        for (const pending of batch) await db.run(pending.sql, pending.params);
      });
      for (const pending of batch) pending.resolve();
    } catch {
      // One bad write must not fail its neighbours: replay them one by one, each in its own commit.
      for (const pending of batch) {
        try {
          await db.run(pending.sql, pending.params);
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
      }
    }
  };
  return (text, params) => new Promise<void>((resolve, reject) => {
    if (queue.length === 0) outsideTransaction(() => setImmediate(() => void flush()));
    queue.push({ sql: text, params, resolve, reject });
  });
}

/** Deletes expired rows; run periodically. Returns how many were removed. */
export async function purgeExpiredOidcModels(db: Db): Promise<number> {
  return (await db.run('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?', [nowSeconds()])).changes;
}
