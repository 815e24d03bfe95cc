/**
 * Bulk seeding of sign-in-ready accounts for load tests and demos (`idp account seed`): `<prefix>-<n>@<domain>`
 * with email confirmed and one password. The password is hashed once and the same argon2id hash is
 * stored for every account (each still verifies at full cost), and rows go in batched transactions, so
 * seeding a million accounts takes seconds, not days. Existing addresses are skipped.
 */
import crypto from 'node:crypto';
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';
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
  const insertAccount = db.prepare(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'en', 'UTC', ?, ?) ON CONFLICT (email) DO NOTHING`);
  const insertCredential = db.prepare(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
    VALUES (?, ?, 'password', ?, '{}', ?, ?)`);
  let created = 0;
  const insertBatch = db.transaction((from: number, to: number) => {
    // One random buffer per batch: 12 bytes per account id and 12 per credential id.
    const random = crypto.randomBytes((to - from) * 24);
    for (let n = from; n < to; n++) {
      const offset = (n - from) * 24;
      const accountId = `acc_${random.subarray(offset, offset + 12).toString('base64url')}`;
      const email = seedEmail(options.prefix, n, domain);
      if (insertAccount.run(accountId, email, now, `${options.prefix} ${n}`, now, now).changes === 0) continue;
      insertCredential.run(`cred_${random.subarray(offset + 12, offset + 24).toString('base64url')}`, accountId, hash, now, now);
      created++;
    }
  });
  const end = start + options.count;
  for (let from = start; from < end; from += batchSize) {
    insertBatch.immediate(from, Math.min(end, from + batchSize));
    // Let other work (signals, a running IdP sharing the file) breathe between batches.
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
