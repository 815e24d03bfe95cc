/**
 * The storage layer: one `Store` interface, one file per engine. SQLite (embedded default,
 * better-sqlite3: sqlite-store.ts) and PostgreSQL (`pg`, chosen by IDP_DATABASE_URL=postgres://…:
 * postgres-store.ts). Repositories write SQL once with `?` placeholders; the PostgreSQL store numbers
 * them. Every call returns a promise.
 *
 * The one escape hatch: code that must differ by engine (a JSON function, a bulk insert, a write
 * strategy) goes through `store.pick(sqlite, postgres)`, so `grep '\.pick('` finds every difference.
 * `store.dialect` only names the engine for people (messages, `idp` JSON, the export header); nothing
 * branches on it (store.test.ts checks). Columns, indexes and ordering columns are the same in
 * both engines (store-parity.test.ts compares the live schemas), so an ORDER BY orders the same way on
 * both: insertion order is an explicit column (`api_keys.seq`), never SQLite's implicit rowid.
 *
 * Invariants:
 * - SQLite keeps prepared-statement speed: statements are prepared once per SQL text and run
 *   synchronously; the promise is only the interface.
 * - `transaction(fn)` is a write transaction that serializes with every other one: BEGIN IMMEDIATE in
 *   SQLite; in PostgreSQL a transaction holding one advisory lock (the same single-writer semantics
 *   the read-then-write checks of the services were written for). Queries made inside `fn` (found
 *   through AsyncLocalStorage, transaction-context.ts, so repositories need not pass a handle) run in
 *   that transaction; on SQLite, queries from other requests wait until it ends instead of slipping
 *   into it. `outsideTransaction(fn)` leaves that context (group commits).
 * - Integer columns are numbers in both engines (BIGINT is parsed as a JS number: seconds and counters
 *   stay far below 2^53).
 * - The schema version is read by `schemaVersion()` only, and checked by `assertKnownSchemaVersion`
 *   (migrations.ts) only: a schema newer than this code is refused, migrating or not.
 *
 * `kysely` is the typed query builder over the same connection(s), for table-generic work (export,
 * import); hot paths use the raw, prepared SQL above.
 */
import { openPostgresStore, type PostgresTimeouts } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export { outsideTransaction } from './transaction-context.ts';
export { openSqliteStore, SqliteStore } from './sqlite-store.ts';
export { PostgresStore, type PostgresTimeouts } from './postgres-store.ts';

export type { DialectName, RunResult, Store } from './store-contract.ts';
import type { Store } from './store-contract.ts';

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise `sqliteFile` is used. */
  databaseUrl?: string;
  sqliteFile?: string;
  /** Apply migrations on open (default true); a schema newer than this code is refused either way. */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL connect and statement timeouts (default: connect 5 s, statements unbounded). */
  timeouts?: PostgresTimeouts;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (isPostgresUrl(options.databaseUrl)) {
    return openPostgresStore(options.databaseUrl, { poolSize: options.poolSize, migrate: options.migrate, timeouts: options.timeouts });
  }
  if (!options.sqliteFile) throw new Error('openStore: no SQLite file and no postgres:// URL');
  return openSqliteStore(options.sqliteFile, { migrate: options.migrate });
}

/**
 * The store the configuration names: PostgreSQL when IDP_DATABASE_URL is set, else the SQLite file.
 * `serving`: the server's store, whose statements are bounded by IDP_PG_STATEMENT_TIMEOUT_MS; operator
 * commands (an import, a long export) get the connect timeout only.
 */
export function openConfiguredStore(
  config: { databaseUrl?: string; databaseFile: string; timeouts?: { pgConnectMs: number; pgStatementMs: number } },
  options: { migrate?: boolean; serving?: boolean } = {},
): Promise<Store> {
  const timeouts = config.timeouts && { connectMs: config.timeouts.pgConnectMs, statementMs: options.serving ? config.timeouts.pgStatementMs : 0 };
  return openStore({ databaseUrl: config.databaseUrl, sqliteFile: config.databaseFile, migrate: options.migrate, timeouts });
}
