/**
 * The SQLite engine of `Store` (store.ts states the invariants). One better-sqlite3 connection per
 * process, WAL, statements prepared once per SQL text and run synchronously. The schema version is
 * PRAGMA user_version, read by `#version()` only.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { loadKysely } from './lazy-kysely.ts';
import { metrics } from '../observability/metrics.ts';
import { assertKnownSchemaVersion, migrations } from './migrations.ts';
import type { RunResult, Store } from './store-contract.ts';
import { transactionContext, type TxContext } from './transaction-context.ts';

/**
 * Opens (creating it if needed) and, unless `migrate: false`, migrates the file; a newer schema is refused.
 * The file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm the database file's
 * mode), files of an earlier version are narrowed to 0600, and the data directory loses any access for
 * others: the store holds password hashes and sealed secrets, readable by the IdP's user only.
 */
export function openSqliteStore(file: string, options: { migrate?: boolean } = {}): SqliteStore {
  if (file !== ':memory:') restrictFiles(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const store = new SqliteStore(db, file);
  try {
    if (options.migrate !== false) store.migrateNow();
    else assertKnownSchemaVersion(store.schemaVersionNow());
  } catch (error) {
    db.close();
    throw error;
  }
  return store;
}

/**
 * One synchronous statement, observed once (idp_store_query_duration_seconds): the time in SQLite, not
 * the wait for another context's transaction before it.
 */
function timed<T>(statement: () => T): T {
  const started = performance.now();
  let failed = true;
  try {
    const result = statement();
    failed = false;
    return result;
  } finally {
    metrics.storeQuery('sqlite', (performance.now() - started) / 1000, failed);
  }
}

function restrictFiles(file: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  try {
    // A shared sticky directory (/tmp) is never narrowed: it is not the IdP's.
    const { mode } = fs.statSync(dir);
    if ((mode & 0o007) !== 0 && (mode & 0o1000) === 0) fs.chmodSync(dir, mode & 0o770);
  } catch {
    // a directory the IdP does not own (e.g. /tmp): the files below are still 0600
  }
  fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600));
  for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(name).mode & 0o077) !== 0) fs.chmodSync(name, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  // biome-ignore lint/suspicious/noExplicitAny: export/import work on every table, whatever its columns
  #kysely: Kysely<any> | undefined;
  /** The open transaction's context and a promise that settles when it ends. */
  #tx: { context: TxContext; done: Promise<void> } | undefined;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.location = location;
  }

  /** The raw connection, for SQLite-only tools (bench seeding); application code uses the Store methods. */
  get raw(): Database.Database {
    return this.#db;
  }

  get kysely() {
    const { Kysely, SqliteDialect } = loadKysely();
    this.#kysely ??= new Kysely({ dialect: new SqliteDialect({ database: this.#db }) });
    return this.#kysely;
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
    return timed(() => this.#statement(sql).get(...params) as T | undefined);
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    while (this.#blocked()) await this.#tx!.done;
    return timed(() => this.#statement(sql).all(...params) as T[]);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    while (this.#blocked()) await this.#tx!.done;
    return timed(() => ({ changes: this.#statement(sql).run(...params).changes }));
  }

  async exec(sql: string): Promise<void> {
    while (this.#blocked()) await this.#tx!.done;
    timed(() => this.#db.exec(sql));
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

  /** PRAGMA user_version: the one place the SQLite schema version is read. */
  schemaVersionNow(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  async schemaVersion(): Promise<number> {
    while (this.#blocked()) await this.#tx!.done;
    return this.schemaVersionNow();
  }

  /**
   * Applies pending migrations in version order, one IMMEDIATE transaction each, synchronously (so
   * `openSqliteStore` stays synchronous). Several processes may start together: each re-reads the
   * version inside the write lock.
   */
  migrateNow(): number {
    const current = this.schemaVersionNow();
    assertKnownSchemaVersion(current);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      this.#db.transaction(() => {
        // Re-read inside the write transaction: another process may have migrated meanwhile.
        if (this.schemaVersionNow() >= migration.version) return;
        this.#db.exec(migration.sql);
        this.#db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    }
    return this.schemaVersionNow();
  }

  async migrate(): Promise<number> {
    while (this.#blocked()) await this.#tx!.done;
    return this.migrateNow();
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}
