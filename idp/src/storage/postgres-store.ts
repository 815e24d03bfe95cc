/**
 * The PostgreSQL engine of `Store` (store.ts states the invariants): a `pg` pool, `?` placeholders
 * numbered as $1, $2, …, one named (prepared) statement per SQL text. The schema version is the highest
 * row of schema_migrations, read by `readSchemaVersion` only.
 */
import pg from 'pg';
import type { Kysely } from 'kysely';
import { loadKysely } from './lazy-kysely.ts';
import { postgresMigrations } from './migrations-postgres.ts';
import { assertKnownSchemaVersion } from './migrations.ts';
import type { RunResult, Store } from './store-contract.ts';
import { transactionContext, type TxContext } from './transaction-context.ts';

/** Arbitrary constant: the advisory lock every write transaction holds (one writer at a time, as in SQLite). */
const WRITE_LOCK = 7_170_501;
/** Arbitrary constant for the migration advisory lock. */
const MIGRATION_LOCK = 7_170_500;

/** Connects and, unless `migrate: false`, migrates; a newer schema is refused either way. */
export async function openPostgresStore(url: string, options: { poolSize?: number; migrate?: boolean } = {}): Promise<PostgresStore> {
  const store = new PostgresStore(url, options.poolSize ?? 10);
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
async function readSchemaVersion(client: pg.Pool | pg.PoolClient): Promise<number> {
  const exists = await client.query("SELECT to_regclass('schema_migrations') AS t");
  if (!exists.rows[0].t) return 0;
  const row = await client.query('SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations');
  return Number(row.rows[0].v);
}

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
    const { Kysely, PostgresDialect } = loadKysely();
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

  async schemaVersion(): Promise<number> {
    return readSchemaVersion(this.#client());
  }

  /**
   * Applies pending migrations in version order, one transaction each, under a session advisory lock
   * held across them, so several instances starting together migrate once.
   */
  async migrate(): Promise<number> {
    const client = await this.pool.connect();
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
      client.release();
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
