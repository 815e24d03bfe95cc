/**
 * The PostgreSQL engine of `Store` (store.ts states the invariants): a `pg` pool, `?` placeholders
 * numbered as $1, $2, …, one named (prepared) statement per SQL text. The schema version is the highest
 * row of schema_migrations, read by `readSchemaVersion` only.
 *
 * Timeouts (`PostgresTimeouts`, from IDP_PG_* settings; issue 20): a request never waits on a dead or
 * partitioned server longer than about the connect timeout plus the statement timeout. Connecting and
 * waiting for a pooled client are bounded by `connectMs`; each statement by `statementMs` on the server
 * (statement_timeout, which also bounds the wait for the write lock) and, one second later, on the client
 * (a frozen network never answers the cancel); a transaction left open by a frozen or killed instance is
 * ended by the server (idle_in_transaction_session_timeout) so it cannot hold the write lock for the
 * other instances. Every call goes through one circuit breaker, so a partition fails fast. Migrations
 * run on their own connection without statement timeouts (building an index may take minutes).
 */
import pg from 'pg';
import type { Kysely } from 'kysely';
import { loadKysely } from './lazy-kysely.ts';
import { metrics } from '../observability/metrics.ts';
import { isDependencyFailure } from '../errors.ts';
import { circuitBreaker, type CircuitBreaker } from './circuit-breaker.ts';
import { postgresMigrations } from './migrations-postgres.ts';
import { assertKnownSchemaVersion } from './migrations.ts';
import type { RunResult, Store } from './store-contract.ts';
import { transactionContext, type TxContext } from './transaction-context.ts';

/** Arbitrary constant: the advisory lock every write transaction holds (one writer at a time, as in SQLite). */
const WRITE_LOCK = 7_170_501;
/** Arbitrary constant for the migration advisory lock. */
const MIGRATION_LOCK = 7_170_500;

export interface PostgresTimeouts {
  /** Connecting a new client and waiting for a pooled one (pool `connectionTimeoutMillis`). */
  connectMs: number;
  /** One statement, lock waits included (`statement_timeout`); 0: unbounded (operator commands). */
  statementMs: number;
}

/** Connect bounded, statements not: what operator commands and tests get unless they ask. */
export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = { connectMs: 5000, statementMs: 0 };

/** Connects and, unless `migrate: false`, migrates; a newer schema is refused either way. */
export async function openPostgresStore(
  url: string,
  options: { poolSize?: number; migrate?: boolean; timeouts?: PostgresTimeouts } = {},
): Promise<PostgresStore> {
  const store = new PostgresStore(url, options.poolSize ?? 10, options.timeouts ?? DEFAULT_POSTGRES_TIMEOUTS);
  try {
    if (options.migrate !== false) await store.migrate();
    else assertKnownSchemaVersion(await store.schemaVersion());
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** The one place the PostgreSQL schema version is read (0 before the first migration). */
async function readSchemaVersion(client: pg.Pool | pg.ClientBase): Promise<number> {
  const exists = await client.query("SELECT to_regclass('schema_migrations') AS t");
  if (!exists.rows[0].t) return 0;
  const row = await client.query('SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations');
  return Number(row.rows[0].v);
}

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly pool: pg.Pool;
  readonly breaker: CircuitBreaker;
  readonly #url: string;
  readonly #connectMs: number;
  readonly #texts = new Map<string, { text: string; name: string }>();
  // biome-ignore lint/suspicious/noExplicitAny: export/import work on every table, whatever its columns
  #kysely: Kysely<any> | undefined;

  constructor(url: string, poolSize: number, timeouts: PostgresTimeouts = DEFAULT_POSTGRES_TIMEOUTS) {
    const parsed = new URL(url);
    parsed.password = parsed.password ? '***' : '';
    this.location = parsed.toString();
    this.#url = url;
    this.#connectMs = timeouts.connectMs;
    const statementMs = timeouts.statementMs;
    this.pool = new pg.Pool({
      connectionString: url, max: poolSize, types: pgTypes, keepAlive: true,
      connectionTimeoutMillis: timeouts.connectMs,
      ...(statementMs > 0 ? {
        statement_timeout: statementMs,
        query_timeout: statementMs + 1000,
        idle_in_transaction_session_timeout: Math.max(10_000, 2 * statementMs),
      } : {}),
    });
    this.breaker = circuitBreaker();
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
  }

  get kysely() {
    const { Kysely, PostgresDialect } = loadKysely();
    this.#kysely ??= new Kysely({ dialect: new PostgresDialect({ pool: this.pool }) });
    return this.#kysely;
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

  /** Every query of get/all/run/exec, observed once (idp_store_query_duration_seconds), pool wait included. */
  async #run(query: pg.QueryConfig | string): Promise<pg.QueryResult> {
    const client = this.#client();
    const started = performance.now();
    let failed = true;
    try {
      const result = await this.breaker.run(() => client.query(query));
      failed = false;
      return result;
    } finally {
      metrics.storeQuery('postgres', (performance.now() - started) / 1000, failed);
    }
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const result = await this.#run(this.#query(sql, params));
    return result.rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.#run(this.#query(sql, params));
    return result.rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    const result = await this.#run(this.#query(sql, params));
    return { changes: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.#run(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = transactionContext.getStore();
    if (outer?.owner === this && outer.client) return fn();
    const client = await this.breaker.run(() => this.pool.connect());
    const context: TxContext = { owner: this, client };
    // A client whose COMMIT or ROLLBACK failed may still hold a transaction: the pool must drop it.
    let broken: Error | undefined;
    try {
      await this.breaker.run(() => client.query('BEGIN'));
      try {
        await this.breaker.run(() => client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`));
        const result = await transactionContext.run(context, fn);
        await this.breaker.run(() => client.query('COMMIT')).catch((error: Error) => {
          broken = error;
          throw error;
        });
        return result;
      } catch (error) {
        // A dead connection cannot roll back (the server does when it notices): drop it without waiting
        // another timeout for the answer.
        if (broken) throw error;
        if (isDependencyFailure(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
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

  async schemaVersion(): Promise<number> {
    return readSchemaVersion(this.#client());
  }

  /**
   * Applies pending migrations in version order, one transaction each, under a session advisory lock
   * held across them, so several instances starting together migrate once.
   */
  async migrate(): Promise<number> {
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: this.#connectMs, types: pgTypes });
    client.on('error', () => {}); // a lost connection fails the migration's query, not the process
    await client.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
      try {
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
        const current = await readSchemaVersion(client);
        assertKnownSchemaVersion(current);
        for (const migration of [...postgresMigrations].sort((a, b) => a.version - b.version)) {
          if (migration.version <= current) continue;
          await client.query('BEGIN');
          try {
            await client.query(migration.sql);
            await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
              [migration.version, migration.name, Math.floor(Date.now() / 1000)]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        }
        return await readSchemaVersion(client);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => {});
      }
    } finally {
      await client.end().catch(() => {});
    }
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
