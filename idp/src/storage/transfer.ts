/**
 * `idp export` / `idp import`: move a whole deployment between stores (typically the embedded SQLite
 * file to PostgreSQL) as JSON lines.
 *
 * Format: a header line `{"format":"latchkey-export","schemaVersion":N,"from":"sqlite",...}`, then one
 * line per row, `{"table":"accounts","row":{...}}`, tables in foreign-key order (accounts before what
 * references them), then a trailer `{"end":true,"rows":N}` so a truncated file is refused.
 *
 * Invariants: import applies only to an empty store of the same schema version, in one transaction (all
 * rows or none), so no account, credential, database, membership, key or secret is lost or half-copied.
 * Rows are read and written through Kysely page by page (keyset pagination on the primary key, or on the
 * insertion order `seq` for API keys, which the target numbers again in the same order), so a million accounts never sit in memory at once. Values are copied as
 * they are: every sealed value (TOTP secrets, signing and cookie keys, CSRF and client secrets, mail) stays sealed under IDP_SECRET_KEY (storage/secret-box.ts) and every hashed id hashed, so an export is no more usable than the store and the target must run
 * with the source's key.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { sql } from 'kysely';
import type { Store } from './store.ts';
import { latestSchemaVersion } from './migrations.ts';

interface TableSpec {
  name: string;
  /** Key columns for keyset pagination (the same in both engines); `id` unless named. */
  key?: string[];
}

/** Every table, parents before children. */
export const exportTables: TableSpec[] = [
  { name: 'accounts' },
  { name: 'credentials' },
  { name: 'account_tokens', key: ['token_hash'] },
  { name: 'deleted_subjects' },
  { name: 'account_lockdowns', key: ['account_id'] },
  { name: 'session_devices', key: ['session_uid'] },
  { name: 'known_devices', key: ['account_id', 'device_hash'] },
  { name: 'trusted_devices', key: ['token_hash'] },
  { name: 'pending_second_factor', key: ['interaction_uid'] },
  { name: 'databases' },
  { name: 'memberships' },
  { name: 'registration_tokens', key: ['token_hash'] },
  { name: 'developer_mode', key: ['account_id'] },
  { name: 'api_keys', key: ['seq'] },
  { name: 'api_key_ips', key: ['key_id', 'ip'] },
  { name: 'webauthn_credentials' },
  { name: 'webauthn_challenges', key: ['challenge_hash'] },
  { name: 'oidc_models', key: ['model', 'id'] },
  { name: 'signing_keys', key: ['kid'] },
  { name: 'server_settings', key: ['name'] },
  { name: 'rate_limits', key: ['key'] },
  { name: 'audit_log' },
  // Queued mail moves with the store (sealed under IDP_SECRET_KEY, which the target must share).
  { name: 'mail_outbox' },
];

/** Columns each engine derives on insert (api_keys.seq: insertion order), so never copied. */
const DERIVED_COLUMNS = new Set(['seq']);
const PAGE = 1000;

type Row = Record<string, unknown>;

export async function* exportRows(db: Store): AsyncGenerator<{ table: string; row: Row }> {
  for (const table of exportTables) {
    const keyColumns = table.key ?? ['id'];
    let after: unknown[] | undefined;
    for (;;) {
      let query = db.kysely.selectFrom(table.name).selectAll()
        .select(sql.raw(keyColumns.map((c, i) => `${c} AS _k${i}`).join(', ')) as never);
      if (after) {
        const bound = after;
        query = query.where(sql`(${sql.raw(keyColumns.join(', '))}) > (${sql.join(bound.map((v) => sql`${v}`))})` as never);
      }
      const rows = (await query.orderBy(sql.raw(keyColumns.join(', ')) as never).limit(PAGE).execute()) as Row[];
      for (const row of rows) {
        const clean: Row = {};
        for (const [column, value] of Object.entries(row)) {
          if (!/^_k\d+$/.test(column) && !DERIVED_COLUMNS.has(column)) clean[column] = value;
        }
        yield { table: table.name, row: clean };
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = keyColumns.map((_, i) => last[`_k${i}`]);
    }
  }
}

/** Writes the export to `out` (a file path, or stdout when undefined); returns row counts per table. */
export async function exportStore(db: Store, out: NodeJS.WritableStream): Promise<{ rows: number; tables: Record<string, number> }> {
  const write = (line: unknown) => new Promise<void>((resolve, reject) => {
    if (out.write(`${JSON.stringify(line)}\n`)) resolve();
    else out.once('drain', resolve).once('error', reject);
  });
  await write({ format: 'latchkey-export', schemaVersion: await db.schemaVersion(), from: db.dialect, exportedAt: new Date().toISOString() });
  const tables: Record<string, number> = {};
  let rows = 0;
  for await (const entry of exportRows(db)) {
    await write(entry);
    tables[entry.table] = (tables[entry.table] ?? 0) + 1;
    rows++;
  }
  await write({ end: true, rows });
  return { rows, tables };
}

export class ImportError extends Error {}

/** Reads an export and inserts every row into `db` (migrated, empty, same schema version) in one transaction. */
export async function importStore(db: Store, file: string): Promise<{ rows: number; tables: Record<string, number> }> {
  const version = await db.schemaVersion();
  if (version !== latestSchemaVersion) throw new ImportError(`The target store is at schema version ${version}; run \`idp migrate\` first.`);
  for (const table of exportTables) {
    const found = await db.get(`SELECT 1 AS one FROM ${table.name} LIMIT 1`);
    if (found) throw new ImportError(`The target store is not empty (table ${table.name} has rows): import only into a fresh store.`);
  }
  // The iterator is taken at once: it buffers lines read while the transaction starts.
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const known = new Set(exportTables.map((t) => t.name));
  const tables: Record<string, number> = {};
  let rows = 0;
  let header: { format?: string; schemaVersion?: number } | undefined;
  let ended = false;
  await db.kysely.transaction().execute(async (trx) => {
    const batch: { table: string; rows: Row[] } = { table: '', rows: [] };
    const flush = async () => {
      if (batch.rows.length === 0) return;
      await trx.insertInto(batch.table).values(batch.rows as never).execute();
      batch.rows = [];
    };
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const line = next.value;
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { table?: string; row?: Row; end?: boolean; rows?: number; format?: string; schemaVersion?: number };
      if (!header) {
        if (entry.format !== 'latchkey-export') throw new ImportError('Not a Latchkey export (no header line).');
        if (entry.schemaVersion !== version) throw new ImportError(`The export has schema version ${entry.schemaVersion}, the target ${version}: use the same IdP version on both sides.`);
        header = entry;
        continue;
      }
      if (entry.end) {
        if (entry.rows !== rows) throw new ImportError(`The export announces ${entry.rows} rows but holds ${rows}.`);
        ended = true;
        continue;
      }
      if (ended) throw new ImportError('Rows after the end of the export.');
      if (!entry.table || !known.has(entry.table) || !entry.row) throw new ImportError(`Unexpected line: ${line.slice(0, 80)}`);
      if (batch.table !== entry.table || batch.rows.length >= 200) {
        await flush();
        batch.table = entry.table;
      }
      batch.rows.push(entry.row);
      tables[entry.table] = (tables[entry.table] ?? 0) + 1;
      rows++;
    }
    await flush();
    if (!ended) throw new ImportError('The export is truncated (no end line): nothing was imported.');
    // PostgreSQL: rows came with their ids, so move the sequence past them (SQLite's rowid follows by itself).
    await db.pick(async () => {}, async () => {
      await sql`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), coalesce((SELECT max(id) FROM audit_log), 0) + 1, false)`.execute(trx);
    })();
  });
  return { rows, tables };
}
