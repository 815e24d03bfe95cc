/**
 * The two engines build the same schema: the live tables, columns (name, type family, nullability,
 * whether a default exists), primary keys, foreign keys and indexes (names, columns, unique, partial) of
 * a migrated SQLite file and a migrated PostgreSQL database (when IDP_TEST_POSTGRES_URL is set) are
 * compared, read from each engine's own catalog (SQLite pragmas, pg_catalog).
 *
 * Normalizations, each for an engine difference that is intended:
 * - Type families: INTEGER/BIGINT are `integer`, TEXT is `text`, case-insensitive text (SQLite
 *   `COLLATE NOCASE`, PostgreSQL `citext`) is `text-nocase`.
 * - A serial key has a default: SQLite's INTEGER PRIMARY KEY (the rowid alias) counts as one, as
 *   PostgreSQL's BIGSERIAL does.
 * - Primary-key columns are NOT NULL: PostgreSQL enforces it; SQLite, for a legacy reason, does not on a
 *   non-integer key of a rowid table, and the IdP never writes a NULL key.
 * - Bookkeeping is left out: schema_migrations (PostgreSQL's version; SQLite uses PRAGMA user_version),
 *   sqlite_* tables, and the indexes engines create for primary keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestSchemaVersion, migrations } from './migrations.ts';
import { postgresMigrations } from './migrations-postgres.ts';
import { openSqliteStore, openStore, type Store } from './store.ts';

const postgresUrl = process.env.IDP_TEST_POSTGRES_URL || undefined;


interface ColumnShape {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

interface IndexShape {
  name: string;
  columns: string[];
  unique: boolean;
  partial: boolean;
}

interface ForeignKeyShape {
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete: string;
}

interface TableShape {
  columns: ColumnShape[];
  primaryKey: string[];
  foreignKeys: ForeignKeyShape[];
  indexes: IndexShape[];
}

type SchemaShape = Record<string, TableShape>;

function typeFamily(declared: string, nocase: boolean): string {
  const type = declared.toLowerCase();
  if (type === 'citext' || nocase) return 'text-nocase';
  if (/int|serial/.test(type)) return 'integer';
  if (/char|text|clob/.test(type)) return 'text';
  return type;
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
const byColumns = (a: ForeignKeyShape, b: ForeignKeyShape) => a.columns.join().localeCompare(b.columns.join());
const normalizeAction = (action: string) => action.toLowerCase();

async function schemaShape(db: Store): Promise<SchemaShape> {
  return db.pick(sqliteShape, postgresShape)(db);
}

async function sqliteShape(db: Store): Promise<SchemaShape> {
  const tables = await db.all<{ name: string; sql: string }>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  const shape: SchemaShape = {};
  for (const table of tables) {
    const info = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${table.name}')`);
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const rowidAlias = primaryKey.length === 1 && info.find((c) => c.name === primaryKey[0])!.type.toUpperCase() === 'INTEGER';
    const nocase = (column: string) => new RegExp(`(^|[(,\\s])${column}\\s[^,]*COLLATE\\s+NOCASE`, 'i').test(table.sql);
    const columns = info.map((c) => ({
      name: c.name,
      type: typeFamily(c.type, nocase(c.name)),
      notNull: c.notnull === 1 || c.pk > 0,
      hasDefault: c.dflt_value !== null || (rowidAlias && c.name === primaryKey[0]),
    }));
    const fkRows = await db.all<{ id: number; seq: number; table: string; from: string; to: string; on_delete: string }>(
      `SELECT id, seq, "table", "from", "to", on_delete FROM pragma_foreign_key_list('${table.name}') ORDER BY id, seq`);
    const fks = new Map<number, ForeignKeyShape>();
    for (const fk of fkRows) {
      const entry = fks.get(fk.id) ?? { columns: [], references: fk.table, referencedColumns: [], onDelete: normalizeAction(fk.on_delete) };
      entry.columns.push(fk.from);
      entry.referencedColumns.push(fk.to);
      fks.set(fk.id, entry);
    }
    const indexRows = await db.all<{ name: string; unique: number; origin: string; partial: number }>(
      `SELECT name, "unique", origin, partial FROM pragma_index_list('${table.name}')`);
    const indexes: IndexShape[] = [];
    for (const index of indexRows.filter((i) => i.origin === 'c')) {
      const cols = await db.all<{ name: string }>(`SELECT name FROM pragma_index_info('${index.name}') ORDER BY seqno`);
      indexes.push({ name: index.name, columns: cols.map((c) => c.name), unique: index.unique === 1, partial: index.partial === 1 });
    }
    shape[table.name] = { columns: columns.sort(byName), primaryKey, foreignKeys: [...fks.values()].sort(byColumns), indexes: indexes.sort(byName) };
  }
  return shape;
}

async function postgresShape(db: Store): Promise<SchemaShape> {
  const tables = await db.all<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY tablename");
  const shape: SchemaShape = {};
  for (const { name: table } of tables) {
    const info = await db.all<{ name: string; type: string; not_null: boolean; has_default: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, a.atthasdef AS has_default
        FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped`, [table]);
    const keys = await db.all<{ name: string; contype: string; columns: string[]; references: string | null; referenced: string[] | null; on_delete: string }>(
      `SELECT c.conname AS name, c.contype,
          array(SELECT attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o) AS columns,
          c.confrelid::regclass::text AS references,
          array(SELECT attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o) AS referenced,
          CASE c.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' ELSE '' END AS on_delete
        FROM pg_constraint c WHERE c.conrelid = ?::regclass AND c.contype IN ('p', 'f')`, [table]);
    const primary = keys.find((k) => k.contype === 'p');
    const indexRows = await db.all<{ name: string; unique: boolean; partial: boolean; columns: string[] }>(
      `SELECT ic.relname AS name, i.indisunique AS unique, i.indpred IS NOT NULL AS partial,
          array(SELECT attname::text FROM unnest(i.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = i.indrelid AND attnum = k.n ORDER BY o) AS columns
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = ?::regclass AND NOT i.indisprimary`, [table]);
    shape[table] = {
      columns: info.map((c) => ({ name: c.name, type: typeFamily(c.type, false), notNull: c.not_null, hasDefault: c.has_default })).sort(byName),
      primaryKey: primary?.columns ?? [],
      foreignKeys: keys.filter((k) => k.contype === 'f')
        .map((k) => ({ columns: k.columns, references: k.references!, referencedColumns: k.referenced!, onDelete: k.on_delete })).sort(byColumns),
      indexes: indexRows.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, partial: i.partial })).sort(byName),
    };
  }
  return shape;
}

async function sqliteSchema(): Promise<SchemaShape> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
  const store = openSqliteStore(path.join(dir, 'idp.sqlite'));
  try {
    return await schemaShape(store);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('have migrations of the same versions, each version once', () => {
    const versions = (list: { version: number }[]) => list.map((m) => m.version).sort((a, b) => a - b);
    expect(versions(postgresMigrations)).toEqual(versions(migrations));
    expect(new Set(versions(migrations)).size).toBe(migrations.length);
    expect(new Set(versions(postgresMigrations)).size).toBe(postgresMigrations.length);
  });

  it('are read from the live SQLite catalog', async () => {
    const sqlite = await sqliteSchema();
    // The reader sees what the migrations declare (so the comparison below compares something).
    expect(sqlite.accounts!.columns.find((c) => c.name === 'email')).toEqual({ name: 'email', type: 'text-nocase', notNull: true, hasDefault: false });
    expect(sqlite.audit_log!.columns.find((c) => c.name === 'id')).toEqual({ name: 'id', type: 'integer', notNull: true, hasDefault: true });
    expect(sqlite.memberships!.foreignKeys).toContainEqual({ columns: ['database_id'], references: 'databases', referencedColumns: ['id'], onDelete: 'cascade' });
    expect(sqlite.memberships!.indexes).toContainEqual({ name: 'memberships_account', columns: ['database_id', 'account_id'], unique: true, partial: true });
    expect(sqlite.known_devices!.primaryKey).toEqual(['account_id', 'device_hash']);
  });

  it.skipIf(!postgresUrl)('match on PostgreSQL: tables, columns, keys and indexes', async () => {
    const { createTestDatabase } = await import('../../../test/helpers/postgres.ts');
    const database = await createTestDatabase(postgresUrl);
    let store: Store | undefined;
    try {
      store = await openStore({ databaseUrl: database.url });
      expect(await store.schemaVersion()).toBe(latestSchemaVersion);
      const postgres = await schemaShape(store);
      const sqlite = await sqliteSchema();
      expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
      expect(postgres).toEqual(sqlite);
    } finally {
      await store?.close();
      await database.drop();
    }
  });
});
