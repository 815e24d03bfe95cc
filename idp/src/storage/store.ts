/**
 * The storage layer for both engines: SQLite (embedded default, better-sqlite3) and PostgreSQL (`pg`,
 * chosen by IDP_DATABASE_URL=postgres://…). Repositories write SQL once with `?` placeholders; the store
 * numbers them for PostgreSQL and, for the few statements that differ, `store.pick(sqlite, postgres)`
 * chooses the text. Every call returns a promise.
 *
 * Invariants:
 * - SQLite keeps prepared-statement speed: statements are prepared once per SQL text and run
 *   synchronously; the promise is only the interface.
 * - `transaction(fn)` is a write transaction that serializes with every other one: BEGIN IMMEDIATE in
 *   SQLite; in PostgreSQL a transaction holding one advisory lock (the same single-writer semantics
 *   the read-then-write checks of the services were written for). Queries made inside `fn` (found
 *   through AsyncLocalStorage, so repositories need not pass a handle) run in that transaction;
 *   on SQLite, queries from other requests wait until it ends instead of slipping into it.
 * - Integer columns are numbers in both engines (BIGINT is parsed as a JS number: seconds and counters
 *   stay far below 2^53).
 *
 * `kysely` is the typed query builder over the same connection(s), for table-generic work (export,
 * import); hot paths use the raw, prepared SQL above.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { latestSchemaVersion, migrate as migrateSqlite, SchemaTooNewError } from './migrations.ts';
import { migratePostgres, postgresSchemaVersion } from './migrations-postgres.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

export interface Store {
  readonly dialect: DialectName;
  /** Typed query builder on the same engine (not bound to `transaction`: use it for whole-table work). */
  readonly kysely: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Where the data lives, for messages (file path or URL without password). */
  readonly location: string;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Several statements without parameters (schema work). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** The SQL text for this store's dialect. */
  pick<T>(sqlite: T, postgres: T): T;
  /** Applies pending migrations; returns the schema version. */
  migrate(): Promise<number>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise `sqliteFile` is used. */
  databaseUrl?: string;
  sqliteFile?: string;
  /** Apply migrations on open (default true); a schema newer than this code is refused either way. */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

interface TxContext {
  owner: object;
  client?: pg.PoolClient;
}

const transactionContext = new AsyncLocalStorage<TxContext>();

/** Runs `fn` outside any store transaction (for work scheduled now but done later, e.g. group commits). */
export function outsideTransaction<T>(fn: () => T): T {
  return transactionContext.exit(fn);
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const store = new PostgresStore(options.databaseUrl, options.poolSize ?? 10);
    try {
      if (options.migrate !== false) await store.migrate();
      else await store.checkVersion();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  if (!options.sqliteFile) throw new Error('openStore: no SQLite file and no postgres:// URL');
  return openSqliteStore(options.sqliteFile, { migrate: options.migrate });
}

export function openSqliteStore(file: string, options: { migrate?: boolean } = {}): SqliteStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const store = new SqliteStore(db, file);
  try {
    if (options.migrate !== false) migrateSqlite(db);
    else store.checkVersion();
  } catch (error) {
    db.close();
    throw error;
  }
  return store;
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #kysely: Kysely<any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The open transaction's context and a promise that settles when it ends. */
  #tx: { context: TxContext; done: Promise<void> } | undefined;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.location = location;
  }

  /** The raw connection, for SQLite-only tools (bench seeding, migrations). */
  get raw(): Database.Database {
    return this.#db;
  }

  get kysely() {
    return (this.#kysely ??= new Kysely({ dialect: new SqliteDialect({ database: this.#db }) }));
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** True when a transaction of another async context is open: wait for it before touching the connection. */
  #blocked(): boolean {
    return this.#tx !== undefined && transactionContext.getStore() !== this.#tx.context;
  }

  // Invariant: the lock is checked and the statement run (or the lock taken) in the same synchronous
  // step. An `await` between the check and the use would let another waiter open a transaction in
  // between, and this statement would run inside it (and be rolled back with it).

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    while (this.#blocked()) await this.#tx!.done;
    return this.#statement(sql).get(...params) as T | undefined;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    while (this.#blocked()) await this.#tx!.done;
    return this.#statement(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    while (this.#blocked()) await this.#tx!.done;
    return { changes: this.#statement(sql).run(...params).changes };
  }

  async exec(sql: string): Promise<void> {
    while (this.#blocked()) await this.#tx!.done;
    this.#db.exec(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#tx && transactionContext.getStore() === this.#tx.context) return fn(); // nested: part of the outer one
    while (this.#tx) await this.#tx.done;
    // No await from the check above to here: this transaction takes the lock before anyone else can.
    let end!: () => void;
    const context: TxContext = { owner: this };
    const tx = { context, done: new Promise<void>((resolve) => (end = resolve)) };
    this.#tx = tx;
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await transactionContext.run(context, fn);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      if (this.#tx === tx) this.#tx = undefined;
      end();
    }
  }

  pick<T>(sqlite: T, _postgres: T): T {
    return sqlite;
  }

  async migrate(): Promise<number> {
    return migrateSqlite(this.#db);
  }

  checkVersion(): void {
    const current = this.#db.pragma('user_version', { simple: true }) as number;
    assertKnownVersion(current);
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}

/** Arbitrary constant: the advisory lock every write transaction holds (one writer at a time, as in SQLite). */
const WRITE_LOCK = 7_170_501;

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly pool: pg.Pool;
  readonly #texts = new Map<string, { text: string; name: string }>();
  #kysely: Kysely<any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

  constructor(url: string, poolSize: number) {
    const parsed = new URL(url);
    parsed.password = parsed.password ? '***' : '';
    this.location = parsed.toString();
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
  }

  get kysely() {
    return (this.#kysely ??= new Kysely({ dialect: new PostgresDialect({ pool: this.pool }) }));
  }

  /** `?` placeholders numbered as $1, $2, …; each text gets a statement name (prepared once per connection). */
  #query(sql: string, params: readonly unknown[]): pg.QueryConfig {
    let entry = this.#texts.get(sql);
    if (!entry) {
      let n = 0;
      entry = { text: sql.replace(/\?/g, () => `$${++n}`), name: `lk${this.#texts.size}` };
      this.#texts.set(sql, entry);
    }
    return { text: entry.text, name: entry.name, values: params as unknown[] };
  }

  #client(): pg.Pool | pg.PoolClient {
    const context = transactionContext.getStore();
    return context?.owner === this && context.client ? context.client : this.pool;
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const result = await this.#client().query(this.#query(sql, params));
    return result.rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.#client().query(this.#query(sql, params));
    return result.rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    const result = await this.#client().query(this.#query(sql, params));
    return { changes: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.#client().query(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = transactionContext.getStore();
    if (outer?.owner === this && outer.client) return fn();
    const client = await this.pool.connect();
    const context: TxContext = { owner: this, client };
    // A client whose COMMIT or ROLLBACK failed may still hold a transaction: the pool must drop it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
        const result = await transactionContext.run(context, fn);
        await client.query('COMMIT').catch((error: Error) => {
          broken = error;
          throw error;
        });
        return result;
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
    } finally {
      // Work that outlives `fn` but still carries its context must not use a client back in the pool.
      context.client = undefined;
      client.release(broken);
    }
  }

  pick<T>(_sqlite: T, postgres: T): T {
    return postgres;
  }

  async migrate(): Promise<number> {
    return migratePostgres(this.pool);
  }

  async checkVersion(): Promise<void> {
    assertKnownVersion(await postgresSchemaVersion(this.pool));
  }

  async close(): Promise<void> {
    if (this.#kysely) await this.#kysely.destroy(); // ends the pool too
    else await this.pool.end();
  }
}

/** INT8 (count(*), BIGINT columns) as JS numbers instead of strings. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function assertKnownVersion(current: number): void {
  if (current > latestSchemaVersion) {
    throw new SchemaTooNewError(
      `The database schema is version ${current} but this IdP knows only up to ${latestSchemaVersion}: upgrade the IdP.`,
    );
  }
}

/** The store the configuration names: PostgreSQL when IDP_DATABASE_URL is set, else the SQLite file. */
export function openConfiguredStore(config: { databaseUrl?: string; databaseFile: string }, options: { migrate?: boolean } = {}): Promise<Store> {
  return openStore({ databaseUrl: config.databaseUrl, sqliteFile: config.databaseFile, migrate: options.migrate });
}
