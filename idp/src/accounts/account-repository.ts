/** All SQL about accounts, their credentials and their one-time mail tokens. */
import type { Db } from '../storage/database.ts';
import type { Account, TokenPurpose } from './types.ts';

interface AccountRow {
  id: string;
  email: string;
  email_verified_at: number | null;
  name: string;
  locale: string;
  timezone: string;
  created_at: number;
  updated_at: number;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id, email: r.email, emailVerifiedAt: r.email_verified_at, name: r.name, locale: r.locale, timezone: r.timezone,
  createdAt: r.created_at, updatedAt: r.updated_at,
});

export interface CredentialRow {
  id: string;
  account_id: string;
  type: string;
  secret: string;
  data: string;
  created_at: number;
  updated_at: number;
}

const accountColumns = 'id, email, email_verified_at, name, locale, timezone, created_at, updated_at';

export function accountRepository(db: Db) {
  const repo = {
    async findById(id: string): Promise<Account | undefined> {
      const row = await db.get<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ?`, [id]);
      return row && toAccount(row);
    },
    /** Case-insensitive (COLLATE NOCASE in SQLite, citext in PostgreSQL). */
    async findByEmail(email: string): Promise<Account | undefined> {
      const row = await db.get<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE email = ?`, [email]);
      return row && toAccount(row);
    },
    async insert(account: Account): Promise<void> {
      await db.run(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [account.id, account.email, account.emailVerifiedAt, account.name, account.locale,
        account.timezone, account.createdAt, account.updatedAt]);
    },
    async update(id: string, fields: Partial<Pick<Account, 'email' | 'emailVerifiedAt' | 'name' | 'locale' | 'timezone'>>, now: number): Promise<void> {
      const current = await repo.findById(id);
      if (!current) return;
      const next = { ...current, ...fields, updatedAt: now };
      await db.run(`UPDATE accounts SET email = ?, email_verified_at = ?, name = ?, locale = ?, timezone = ?, updated_at = ? WHERE id = ?`,
        [next.email, next.emailVerifiedAt, next.name, next.locale, next.timezone, next.updatedAt, id]);
    },
    async delete(id: string): Promise<void> {
      await db.run('DELETE FROM accounts WHERE id = ?', [id]);
    },
    /** Deletes the account (credentials, tokens and every row referencing it cascade) and retires its id. */
    async deleteAndRetire(id: string, now: number): Promise<void> {
      await db.transaction(async () => {
        await db.run('INSERT INTO deleted_subjects (id, deleted_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', [id, now]);
        await db.run('DELETE FROM accounts WHERE id = ?', [id]);
      });
    },
    async isRetiredId(id: string): Promise<boolean> {
      return Boolean(await db.get('SELECT 1 AS one FROM deleted_subjects WHERE id = ?', [id]));
    },
    async findCredential(accountId: string, type: string): Promise<CredentialRow | undefined> {
      return db.get<CredentialRow>('SELECT * FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at DESC LIMIT 1', [accountId, type]);
    },
    async listCredentials(accountId: string, type: string): Promise<CredentialRow[]> {
      return db.all<CredentialRow>('SELECT * FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at', [accountId, type]);
    },
    /** Replaces every credential of one type with a single new one. */
    async replaceCredential(row: CredentialRow): Promise<void> {
      await db.transaction(async () => {
        await db.run('DELETE FROM credentials WHERE account_id = ? AND type = ?', [row.account_id, row.type]);
        await db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)`, [row.id, row.account_id, row.type, row.secret, row.data, row.created_at, row.updated_at]);
      });
    },
    async updateCredentialSecret(id: string, secret: string, now: number): Promise<void> {
      await db.run('UPDATE credentials SET secret = ?, updated_at = ? WHERE id = ?', [secret, now, id]);
    },
    async insertToken(tokenHash: string, accountId: string, purpose: TokenPurpose, expiresAt: number, data: object = {}): Promise<void> {
      await db.run('INSERT INTO account_tokens (token_hash, account_id, purpose, data, expires_at) VALUES (?, ?, ?, ?, ?)',
        [tokenHash, accountId, purpose, JSON.stringify(data), expiresAt]);
    },
    /** Marks a live token used and returns it, or undefined when unknown, used, expired or for another purpose (atomic). */
    async consumeToken(tokenHash: string, purpose: TokenPurpose, now: number): Promise<{ accountId: string; data: Record<string, unknown> } | undefined> {
      const row = await db.get<{ account_id: string; data: string }>(`UPDATE account_tokens SET used_at = ?
        WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING account_id, data`, [now, tokenHash, purpose, now]);
      return row && { accountId: row.account_id, data: JSON.parse(row.data) as Record<string, unknown> };
    },
    async peekToken(tokenHash: string, purpose: TokenPurpose, now: number): Promise<{ accountId: string; data: Record<string, unknown> } | undefined> {
      const row = await db.get<{ account_id: string; data: string }>('SELECT account_id, data FROM account_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?',
        [tokenHash, purpose, now]);
      return row && { accountId: row.account_id, data: JSON.parse(row.data) as Record<string, unknown> };
    },
    async invalidateTokens(accountId: string, purpose: TokenPurpose, now: number): Promise<void> {
      await db.run('UPDATE account_tokens SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL', [now, accountId, purpose]);
    },
    async purgeExpiredTokens(now: number): Promise<number> {
      return (await db.run('DELETE FROM account_tokens WHERE expires_at <= ?', [now])).changes;
    },
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
  };
  return repo;
}

export type AccountRepository = ReturnType<typeof accountRepository>;
