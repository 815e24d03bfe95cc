/**
 * Bulk seeding of sign-in-ready accounts for load tests and demos (`idp account seed`): `<prefix>-<n>@<domain>`
 * with email confirmed and one password. The password is hashed once and the same argon2id hash is
 * stored for every account (each still verifies at full cost), and rows go in batched transactions, so
 * seeding a million accounts takes seconds, not days. Existing addresses are skipped.
 */
import crypto from 'node:crypto';
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../clock.ts';
import type { PasswordHasher } from './password-hasher.ts';

export interface SeedOptions {
  count: number;
  password: string;
  prefix: string;
  /** First number of the sequence (default 1), so a second run can extend the first. */
  start?: number;
  domain?: string;
  batchSize?: number;
}

export interface SeedResult {
  created: number;
  skipped: number;
  firstEmail: string;
  lastEmail: string;
  seconds: number;
}

export function seedEmail(prefix: string, n: number, domain = 'example.com'): string {
  return `${prefix}-${n}@${domain}`.toLowerCase();
}

export async function seedAccounts(db: Db, hasher: PasswordHasher, options: SeedOptions): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const start = options.start ?? 1;
  const domain = options.domain ?? 'example.com';
  const batchSize = options.batchSize ?? 10_000;
  const hash = await hasher.hash(options.password);
  const now = nowSeconds();
  let created = 0;
  const insertBatch = async (from: number, to: number): Promise<void> => {
    // One random buffer per batch: 12 bytes per account id and 12 per credential id.
    const random = crypto.randomBytes((to - from) * 24);
    const rows: { accountId: string; credentialId: string; email: string; name: string }[] = [];
    for (let n = from; n < to; n++) {
      const offset = (n - from) * 24;
      rows.push({
        accountId: `acc_${random.subarray(offset, offset + 12).toString('base64url')}`,
        credentialId: `cred_${random.subarray(offset + 12, offset + 24).toString('base64url')}`,
        email: seedEmail(options.prefix, n, domain),
        name: `${options.prefix} ${n}`,
      });
    }
    await db.transaction(async () => {
      if (db.pick('row by row', 'one statement per batch') === 'one statement per batch') {
        // PostgreSQL: one statement per table and batch: a round trip per row would take hours for a million.
        const inserted = await db.all<{ id: string }>(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
          SELECT id, email, ?, name, 'en', 'UTC', ?, ? FROM unnest(?::text[], ?::text[], ?::text[]) AS t(id, email, name)
          ON CONFLICT (email) DO NOTHING RETURNING id`, [now, now, now, rows.map((r) => r.accountId), rows.map((r) => r.email), rows.map((r) => r.name)]);
        const kept = new Set(inserted.map((r) => r.id));
        const credentials = rows.filter((r) => kept.has(r.accountId));
        await db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
          SELECT id, account_id, 'password', ?, '{}', ?, ? FROM unnest(?::text[], ?::text[]) AS t(id, account_id)`,
        [hash, now, now, credentials.map((r) => r.credentialId), credentials.map((r) => r.accountId)]);
        created += credentials.length;
        return;
      }
      for (const r of rows) {
        const result = await db.run(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
          VALUES (?, ?, ?, ?, 'en', 'UTC', ?, ?) ON CONFLICT (email) DO NOTHING`, [r.accountId, r.email, now, r.name, now, now]);
        if (result.changes === 0) continue;
        await db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
          VALUES (?, ?, 'password', ?, '{}', ?, ?)`, [r.credentialId, r.accountId, hash, now, now]);
        created++;
      }
    });
  };
  const end = start + options.count;
  for (let from = start; from < end; from += batchSize) {
    await insertBatch(from, Math.min(end, from + batchSize));
    // Let other work (signals, a running IdP sharing the store) breathe between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    created,
    skipped: options.count - created,
    firstEmail: seedEmail(options.prefix, start, domain),
    lastEmail: seedEmail(options.prefix, end - 1, domain),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
