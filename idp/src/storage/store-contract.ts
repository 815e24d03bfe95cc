/**
 * The contract every engine implements (store.ts explains the rules; sqlite-store.ts and
 * postgres-store.ts implement it). A file of its own so the engines depend on it, not on store.ts,
 * which opens them.
 */
import type { Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

export interface Store {
  /** The engine's name, for people (messages, JSON output); branch with `pick`, never on this. */
  readonly dialect: DialectName;
  /** Typed query builder on the same engine (not bound to `transaction`: use it for whole-table work). */
  // biome-ignore lint/suspicious/noExplicitAny: export/import work on every table, whatever its columns
  readonly kysely: Kysely<any>;
  /** Where the data lives, for messages (file path or URL without password). */
  readonly location: string;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Several statements without parameters (schema work). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** The escape hatch: the value (SQL text, function) for this store's engine. */
  pick<T>(sqlite: T, postgres: T): T;
  /** The applied schema version (0 for an empty database). */
  schemaVersion(): Promise<number>;
  /** Applies pending migrations; returns the schema version. Refuses a schema newer than this code. */
  migrate(): Promise<number>;
  close(): Promise<void>;
}
