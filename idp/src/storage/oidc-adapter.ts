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
 *
 * Invariants (issue 13: a copy of the store is no master key):
 * - Nothing in a row can be presented as a bearer value. Every model whose id is one (sessions, tokens,
 *   codes, interactions, registration tokens; all but Client and Grant) is keyed by `storedOidcId`, the
 *   base64url SHA-256 of the id; the payload is stored without its `jti` (the id) and gets it back from
 *   the id the caller looks up with. An Interaction's copy of its session id (`session.cookie`, which
 *   oidc-provider writes and never reads) is dropped; a user code is stored hashed. A Session found by
 *   uid (which is not secret: it is the device id of the portal) has no id: oidc-provider only checks it.
 * - Client secrets are sealed inside the Client payload (context `client-secret:<client id>`) and opened
 *   on find, so oidc-provider sees them as before.
 * - No extra query: hashing is in-process (a SHA-256 of ~40 bytes), one statement per call as before.
 */
import crypto from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from './database.ts';
import { nowSeconds } from '../clock.ts';
import { outsideTransaction } from './transaction-context.ts';
import { isSealed, resealed, type SecretBox } from './secret-box.ts';

/** Models whose ids are not secrets: a client id is public, a grant id is only a server-side reference. */
const CLEAR_ID_MODELS = new Set(['Client', 'Grant']);

export function idIsHashed(model: string): boolean {
  return !CLEAR_ID_MODELS.has(model);
}

export function hashId(value: string): string {
  return crypto.createHash('sha256').update(value).digest('base64url');
}

/** The row key (and Redis key part) of an oidc-provider id. */
export function storedOidcId(model: string, id: string): string {
  return idIsHashed(model) ? hashId(id) : id;
}

const clientSecretContext = (clientId: string) => `client-secret:${clientId}`;

/** The payload as stored: without the bearer values it carries, client secret sealed. */
export function payloadToStore(model: string, id: string, payload: AdapterPayload, box: SecretBox | undefined): AdapterPayload {
  if (model === 'Client') {
    if (!box) throw new Error('a Client is stored with the secret box');
    const secret = payload.client_secret;
    return typeof secret === 'string' && !isSealed(secret) ? { ...payload, client_secret: box.seal(secret, clientSecretContext(id)) } : payload;
  }
  if (!idIsHashed(model)) return payload;
  const { jti: _jti, userCode: _userCode, ...rest } = payload;
  const session = rest.session as Record<string, unknown> | undefined;
  if (session && typeof session === 'object' && 'cookie' in session) {
    const { cookie: _cookie, ...kept } = session;
    rest.session = kept as AdapterPayload['session'];
  }
  return rest;
}

/** The payload as oidc-provider wrote it (`id` when the caller looked up by id). */
export function payloadFromStore(model: string, id: string | undefined, stored: AdapterPayload, box: SecretBox | undefined): AdapterPayload {
  if (model === 'Client') {
    if (!box) throw new Error('a Client is read with the secret box');
    const secret = stored.client_secret;
    if (typeof secret === 'string' && isSealed(secret)) stored.client_secret = box.open(secret, clientSecretContext(String(stored.client_id ?? id)));
    return stored;
  }
  if (id !== undefined && idIsHashed(model)) stored.jti = id;
  return stored;
}

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
  readonly #box: SecretBox;
  readonly #write: (sql: string, params: unknown[]) => Promise<void>;

  constructor(model: string, db: Db, box: SecretBox) {
    this.#model = model;
    this.#db = db;
    this.#box = box;
    this.#write = writerFor(db);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? nowSeconds() + expiresIn : null;
    await this.#write(sql.upsert, [
      this.#model, storedOidcId(this.#model, id), JSON.stringify(payloadToStore(this.#model, id, payload, this.#box)),
      payload.grantId ?? null, payload.uid ?? null, payload.userCode ? hashId(payload.userCode) : null, payload.accountId ?? null, expiresAt,
    ]);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#read(await this.#db.get<Row>(sql.find, [this.#model, storedOidcId(this.#model, id)]), id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#read(await this.#db.get<Row>(sql.findByUid, [this.#model, uid]), undefined);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const payload = this.#read(await this.#db.get<Row>(sql.findByUserCode, [this.#model, hashId(userCode)]), undefined);
    if (payload) payload.userCode = userCode;
    return payload;
  }

  async consume(id: string): Promise<void> {
    await this.#write(sql.consume, [nowSeconds(), this.#model, storedOidcId(this.#model, id)]);
  }

  async destroy(id: string): Promise<void> {
    await this.#write(sql.destroy, [this.#model, storedOidcId(this.#model, id)]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#write(sql.revokeByGrantId, [grantId]);
  }

  #read(row: Row | undefined, id: string | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= nowSeconds()) return undefined;
    const payload = payloadFromStore(this.#model, id, JSON.parse(row.payload) as AdapterPayload, this.#box);
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }
}

const oldRows = {
  sqlite: `SELECT model, id, payload FROM oidc_models WHERE model NOT IN ('Client', 'Grant') AND json_extract(payload, '$.jti') = id`,
  postgres: `SELECT model, id, payload FROM oidc_models WHERE model NOT IN ('Client', 'Grant') AND payload::jsonb ->> 'jti' = id`,
};

/**
 * The start-up step for rows written before the invariants above: re-keys every row still keyed by its
 * clear id (its payload's `jti` is the id: rows written now have none) and strips its payload. Each
 * update is conditional on the old key, so processes doing it at once do no harm. Returns the count.
 */
export async function rekeyOidcRows(db: Db, box: SecretBox): Promise<number> {
  const rows = await db.all<{ model: string; id: string; payload: string }>(db.pick(oldRows.sqlite, oldRows.postgres));
  let rekeyed = 0;
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as AdapterPayload;
    rekeyed += (await db.run('UPDATE oidc_models SET id = ?, payload = ?, user_code = ? WHERE model = ? AND id = ?', [
      storedOidcId(row.model, row.id), JSON.stringify(payloadToStore(row.model, row.id, payload, box)),
      payload.userCode ? hashId(payload.userCode) : null, row.model, row.id,
    ])).changes;
  }
  return rekeyed;
}

/** Seals client secrets still in clear (`clear`), or re-seals every one not under the first key (`rotate`). */
export async function sealClientSecrets(db: Db, box: SecretBox, mode: 'clear' | 'rotate'): Promise<number> {
  const rows = await db.all<{ id: string; payload: string }>("SELECT id, payload FROM oidc_models WHERE model = 'Client'");
  let written = 0;
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (typeof payload.client_secret !== 'string') continue;
    const next = resealed(box, payload.client_secret, clientSecretContext(row.id), mode);
    if (next === undefined) continue;
    written += (await db.run("UPDATE oidc_models SET payload = ? WHERE model = 'Client' AND id = ? AND payload = ?",
      [JSON.stringify({ ...payload, client_secret: next }), row.id, row.payload])).changes;
  }
  return written;
}

interface GroupCommit {
  write(sql: string, params: unknown[]): Promise<void>;
  /** Resolves once every write asked for so far is committed (or has failed). */
  settle(): Promise<void>;
}

const writers = new WeakMap<Db, (sql: string, params: unknown[]) => Promise<void>>();
const groupCommits = new WeakMap<Db, GroupCommit>();

function writerFor(db: Db): (sql: string, params: unknown[]) => Promise<void> {
  let writer = writers.get(db);
  if (!writer) {
    const group = db.pick(groupCommit(db), undefined);
    if (group) groupCommits.set(db, group);
    writer = group?.write ?? (async (text, params) => void (await db.run(text, params)));
    writers.set(db, writer);
  }
  return writer;
}

/** Before the store is closed (graceful shutdown): commits the writes still queued for the next group commit. */
export async function flushGroupCommits(db: Db): Promise<void> {
  await groupCommits.get(db)?.settle();
}

interface PendingWrite {
  sql: string;
  params: unknown[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Queues writes and commits each turn's writes in one transaction, in the order they were asked for. */
function groupCommit(db: Db): GroupCommit {
  let queue: PendingWrite[] = [];
  const committing = new Set<Promise<void>>();
  const flush = () => {
    if (queue.length === 0) return; // settle() already took this turn's batch
    const done = commit().finally(() => committing.delete(done));
    committing.add(done);
  };
  const commit = async () => {
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
  return {
    write: (text, params) => new Promise<void>((resolve, reject) => {
      if (queue.length === 0) outsideTransaction(() => setImmediate(() => void flush()));
      queue.push({ sql: text, params, resolve, reject });
    }),
    async settle() {
      while (committing.size > 0 || queue.length > 0) {
        outsideTransaction(flush);
        await Promise.all(committing);
      }
    },
  };
}

/** Deletes expired rows; run periodically. Returns how many were removed. */
export async function purgeExpiredOidcModels(db: Db): Promise<number> {
  return (await db.run('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?', [nowSeconds()])).changes;
}
