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

export function apiKeyRepository(db: Db) {
  const byVisibleId = db.prepare('SELECT * FROM api_keys WHERE visible_id = ?');
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ? AND account_id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?');
  const developerMode = db.prepare('SELECT enabled_at FROM developer_mode WHERE account_id = ?');
  return {
    developerModeSince(accountId: string): number | undefined {
      return (developerMode.get(accountId) as { enabled_at: number } | undefined)?.enabled_at;
    },
    enableDeveloperMode(accountId: string, now: number): void {
      db.prepare('INSERT INTO developer_mode (account_id, enabled_at) VALUES (?, ?) ON CONFLICT (account_id) DO NOTHING').run(accountId, now);
    },
    disableDeveloperMode(accountId: string): void {
      db.prepare('DELETE FROM developer_mode WHERE account_id = ?').run(accountId);
    },

    findByVisibleId(visibleId: string): ApiKey | undefined {
      const row = byVisibleId.get(visibleId) as ApiKeyRow | undefined;
      return row && toApiKey(row);
    },
    findForAccount(accountId: string, id: string): ApiKey | undefined {
      const row = byId.get(id, accountId) as ApiKeyRow | undefined;
      return row && toApiKey(row);
    },
    /** Keys that have not expired yet, newest first. */
    listLive(accountId: string, now: number): ApiKey[] {
      return (db.prepare('SELECT * FROM api_keys WHERE account_id = ? AND expires_at > ? ORDER BY created_at DESC, rowid DESC').all(accountId, now) as ApiKeyRow[]).map(toApiKey);
    },
    countLive(accountId: string, now: number): number {
      return (db.prepare('SELECT count(*) AS n FROM api_keys WHERE account_id = ? AND expires_at > ?').get(accountId, now) as { n: number }).n;
    },
    /** Every account's live keys with their owner's email, for the operator command. */
    listAllLive(now: number): ApiKey[] {
      return (db.prepare('SELECT * FROM api_keys WHERE expires_at > ? ORDER BY account_id, created_at').all(now) as ApiKeyRow[]).map(toApiKey);
    },
    insert(k: ApiKey): void {
      db.prepare(`INSERT INTO api_keys (id, account_id, visible_id, description, scope, databases, secret_hash, previous_secret_hash,
        previous_expires_at, created_at, expires_at, rotated_at, last_used_at, last_used_ip)
        VALUES (@id, @accountId, @visibleId, @description, @scope, @databases, @secretHash, @previousSecretHash,
        @previousExpiresAt, @createdAt, @expiresAt, @rotatedAt, @lastUsedAt, @lastUsedIp)`)
        .run({ ...k, databases: k.databases === null ? null : JSON.stringify(k.databases) });
    },
    rotate(id: string, secretHash: string, previous: { hash: string; expiresAt: number } | null, now: number): void {
      db.prepare('UPDATE api_keys SET secret_hash = ?, previous_secret_hash = ?, previous_expires_at = ?, rotated_at = ? WHERE id = ?')
        .run(secretHash, previous?.hash ?? null, previous?.expiresAt ?? null, now, id);
    },
    touch(id: string, now: number, ip: string | null): void {
      touch.run(now, ip, id);
    },
    delete(accountId: string, id: string): boolean {
      return db.prepare('DELETE FROM api_keys WHERE id = ? AND account_id = ?').run(id, accountId).changes > 0;
    },
    deleteAllOf(accountId: string): number {
      return db.prepare('DELETE FROM api_keys WHERE account_id = ?').run(accountId).changes;
    },
    /** Removes expired keys and forgets previous secrets whose grace period ended. */
    purgeExpired(now: number): number {
      db.prepare('UPDATE api_keys SET previous_secret_hash = NULL, previous_expires_at = NULL WHERE previous_expires_at <= ?').run(now);
      return db.prepare('DELETE FROM api_keys WHERE expires_at <= ?').run(now).changes;
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
