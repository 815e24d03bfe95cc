/** All SQL about developer mode and API keys. */
import type { Db } from '../storage/database.ts';
import type { ApiKey, ApiKeyScope } from './types.ts';

interface ApiKeyRow {
  id: string;
  account_id: string;
  visible_id: string;
  description: string;
  scope: ApiKeyScope;
  databases: string | null;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_expires_at: number | null;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
}

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  accountId: r.account_id,
  visibleId: r.visible_id,
  description: r.description,
  scope: r.scope,
  databases: r.databases === null ? null : (JSON.parse(r.databases) as string[]),
  secretHash: r.secret_hash,
  previousSecretHash: r.previous_secret_hash,
  previousExpiresAt: r.previous_expires_at,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  rotatedAt: r.rotated_at,
  lastUsedAt: r.last_used_at,
  lastUsedIp: r.last_used_ip,
});

const columns = `id, account_id, visible_id, description, scope, databases, secret_hash, previous_secret_hash,
  previous_expires_at, created_at, expires_at, rotated_at, last_used_at, last_used_ip`;

export function apiKeyRepository(db: Db) {
  const byVisibleId = `SELECT ${columns} FROM api_keys WHERE visible_id = ?`;
  return {
    async developerModeSince(accountId: string): Promise<number | undefined> {
      return (await db.get<{ enabled_at: number }>('SELECT enabled_at FROM developer_mode WHERE account_id = ?', [accountId]))?.enabled_at;
    },
    async enableDeveloperMode(accountId: string, now: number): Promise<void> {
      await db.run('INSERT INTO developer_mode (account_id, enabled_at) VALUES (?, ?) ON CONFLICT (account_id) DO NOTHING', [accountId, now]);
    },
    async disableDeveloperMode(accountId: string): Promise<void> {
      await db.run('DELETE FROM developer_mode WHERE account_id = ?', [accountId]);
    },

    async findByVisibleId(visibleId: string): Promise<ApiKey | undefined> {
      const row = await db.get<ApiKeyRow>(byVisibleId, [visibleId]);
      return row && toApiKey(row);
    },
    async findForAccount(accountId: string, id: string): Promise<ApiKey | undefined> {
      const row = await db.get<ApiKeyRow>(`SELECT ${columns} FROM api_keys WHERE id = ? AND account_id = ?`, [id, accountId]);
      return row && toApiKey(row);
    },
    /** Keys that have not expired yet, newest first. */
    async listLive(accountId: string, now: number): Promise<ApiKey[]> {
      return (await db.all<ApiKeyRow>(`SELECT ${columns} FROM api_keys WHERE account_id = ? AND expires_at > ?
        ORDER BY created_at DESC, seq DESC`, [accountId, now])).map(toApiKey);
    },
    async countLive(accountId: string, now: number): Promise<number> {
      return (await db.get<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE account_id = ? AND expires_at > ?', [accountId, now]))!.n;
    },
    /** Every account's live keys, for the operator command. */
    async listAllLive(now: number): Promise<ApiKey[]> {
      return (await db.all<ApiKeyRow>(`SELECT ${columns} FROM api_keys WHERE expires_at > ? ORDER BY account_id, created_at, seq`, [now])).map(toApiKey);
    },
    async insert(k: ApiKey): Promise<void> {
      await db.run(`INSERT INTO api_keys (id, account_id, visible_id, description, scope, databases, secret_hash, previous_secret_hash,
        previous_expires_at, created_at, expires_at, rotated_at, last_used_at, last_used_ip)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [k.id, k.accountId, k.visibleId, k.description, k.scope,
        k.databases === null ? null : JSON.stringify(k.databases), k.secretHash, k.previousSecretHash, k.previousExpiresAt,
        k.createdAt, k.expiresAt, k.rotatedAt, k.lastUsedAt, k.lastUsedIp]);
    },
    async rotate(id: string, secretHash: string, previous: { hash: string; expiresAt: number } | null, now: number): Promise<void> {
      await db.run('UPDATE api_keys SET secret_hash = ?, previous_secret_hash = ?, previous_expires_at = ?, rotated_at = ? WHERE id = ?',
        [secretHash, previous?.hash ?? null, previous?.expiresAt ?? null, now, id]);
    },
    async touch(id: string, now: number, ip: string | null): Promise<void> {
      await db.run('UPDATE api_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?', [now, ip, id]);
    },
    async delete(accountId: string, id: string): Promise<boolean> {
      return (await db.run('DELETE FROM api_keys WHERE id = ? AND account_id = ?', [id, accountId])).changes > 0;
    },
    async deleteAllOf(accountId: string): Promise<number> {
      return (await db.run('DELETE FROM api_keys WHERE account_id = ?', [accountId])).changes;
    },
    /** Removes expired keys and forgets previous secrets whose grace period ended. */
    async purgeExpired(now: number): Promise<number> {
      await db.run('UPDATE api_keys SET previous_secret_hash = NULL, previous_expires_at = NULL WHERE previous_expires_at <= ?', [now]);
      return (await db.run('DELETE FROM api_keys WHERE expires_at <= ?', [now])).changes;
    },
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
