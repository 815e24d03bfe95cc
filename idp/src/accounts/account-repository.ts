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

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    emailVerifiedAt: row.email_verified_at,
    name: row.name,
    locale: row.locale,
    timezone: row.timezone,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface CredentialRow {
  id: string;
  account_id: string;
  type: string;
  secret: string;
  data: string;
  created_at: number;
  updated_at: number;
}

export function accountRepository(db: Db) {
  const byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
  const byEmail = db.prepare('SELECT * FROM accounts WHERE email = ?');
  const credential = db.prepare('SELECT * FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at DESC LIMIT 1');
  return {
    findById(id: string): Account | undefined {
      const row = byId.get(id) as AccountRow | undefined;
      return row && toAccount(row);
    },
    findByEmail(email: string): Account | undefined {
      const row = byEmail.get(email) as AccountRow | undefined;
      return row && toAccount(row);
    },
    insert(account: Account): void {
      db.prepare(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
        VALUES (@id, @email, @emailVerifiedAt, @name, @locale, @timezone, @createdAt, @updatedAt)`).run(account);
    },
    update(id: string, fields: Partial<Pick<Account, 'email' | 'emailVerifiedAt' | 'name' | 'locale' | 'timezone'>>, now: number): void {
      const current = this.findById(id);
      if (!current) return;
      const next = { ...current, ...fields, updatedAt: now };
      db.prepare(`UPDATE accounts SET email = @email, email_verified_at = @emailVerifiedAt, name = @name, locale = @locale,
        timezone = @timezone, updated_at = @updatedAt WHERE id = @id`).run(next);
    },
    delete(id: string): void {
      db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    },
    /** Deletes the account (credentials, tokens and every row referencing it cascade) and retires its id. */
    deleteAndRetire(id: string, now: number): void {
      db.transaction(() => {
        db.prepare('INSERT OR IGNORE INTO deleted_subjects (id, deleted_at) VALUES (?, ?)').run(id, now);
        db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
      }).immediate();
    },
    isRetiredId(id: string): boolean {
      return Boolean(db.prepare('SELECT 1 FROM deleted_subjects WHERE id = ?').get(id));
    },
    findCredential(accountId: string, type: string): CredentialRow | undefined {
      return credential.get(accountId, type) as CredentialRow | undefined;
    },
    listCredentials(accountId: string, type: string): CredentialRow[] {
      return db.prepare('SELECT * FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at').all(accountId, type) as CredentialRow[];
    },
    /** Replaces every credential of one type with a single new one. */
    replaceCredential(row: CredentialRow): void {
      db.prepare('DELETE FROM credentials WHERE account_id = ? AND type = ?').run(row.account_id, row.type);
      db.prepare(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
        VALUES (@id, @account_id, @type, @secret, @data, @created_at, @updated_at)`).run(row);
    },
    updateCredentialSecret(id: string, secret: string, now: number): void {
      db.prepare('UPDATE credentials SET secret = ?, updated_at = ? WHERE id = ?').run(secret, now, id);
    },
    insertToken(tokenHash: string, accountId: string, purpose: TokenPurpose, expiresAt: number, data: object = {}): void {
      db.prepare('INSERT INTO account_tokens (token_hash, account_id, purpose, data, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(tokenHash, accountId, purpose, JSON.stringify(data), expiresAt);
    },
    /** Marks a live token used and returns it, or undefined when unknown, used, expired or for another purpose. */
    consumeToken(tokenHash: string, purpose: TokenPurpose, now: number): { accountId: string; data: Record<string, unknown> } | undefined {
      return db.transaction(() => {
        const row = db.prepare('SELECT account_id, data FROM account_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?')
          .get(tokenHash, purpose, now) as { account_id: string; data: string } | undefined;
        if (!row) return undefined;
        db.prepare('UPDATE account_tokens SET used_at = ? WHERE token_hash = ?').run(now, tokenHash);
        return { accountId: row.account_id, data: JSON.parse(row.data) as Record<string, unknown> };
      }).immediate();
    },
    peekToken(tokenHash: string, purpose: TokenPurpose, now: number): { accountId: string } | undefined {
      const row = db.prepare('SELECT account_id FROM account_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?')
        .get(tokenHash, purpose, now) as { account_id: string } | undefined;
      return row && { accountId: row.account_id };
    },
    invalidateTokens(accountId: string, purpose: TokenPurpose, now: number): void {
      db.prepare('UPDATE account_tokens SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL').run(now, accountId, purpose);
    },
    purgeExpiredTokens(now: number): number {
      return db.prepare('DELETE FROM account_tokens WHERE expires_at <= ?').run(now).changes;
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}

export type AccountRepository = ReturnType<typeof accountRepository>;
