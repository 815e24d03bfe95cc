/**
 * SQL over oidc-provider's stored sessions and grants (the oidc_models table), and over the device rows
 * this IdP keeps beside them (session_devices keyed by the Session uid, known_devices for new-device mail).
 */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../clock.ts';
import { redisSessions, type ShortLivedStore } from '../storage/redis.ts';

type SessionPayload = { uid: string; accountId: string; loginTs?: number; authorizations?: StoredSession['authorizations'] };

export interface StoredSession {
  id: string;
  uid: string;
  accountId: string;
  loginTs?: number;
  authorizations: Record<string, { sid?: string; grantId?: string }>;
}

export interface DeviceRow {
  session_uid: string;
  account_id: string;
  user_agent: string;
  ip: string | null;
  first_seen_at: number;
  last_seen_at: number;
}

export function sessionRepository(db: Db, shortLived?: ShortLivedStore) {
  // With Redis, sessions live there (storage/redis.ts); grants and tokens stay in the SQL store.
  const redis = shortLived && redisSessions(shortLived);
  const upsertDevice = `INSERT INTO session_devices (session_uid, account_id, user_agent, ip, first_seen_at, last_seen_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (session_uid) DO UPDATE SET last_seen_at = excluded.last_seen_at, ip = excluded.ip,
      user_agent = CASE WHEN excluded.user_agent <> '' THEN excluded.user_agent ELSE session_devices.user_agent END
    WHERE session_devices.account_id = excluded.account_id`;
  const refreshTokenClients = db.pick(
    `SELECT DISTINCT json_extract(payload, '$.clientId') AS client_id FROM oidc_models
      WHERE model = 'RefreshToken' AND account_id = ? AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
    `SELECT DISTINCT payload::jsonb ->> 'clientId' AS client_id FROM oidc_models
      WHERE model = 'RefreshToken' AND account_id = ? AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
  );
  return {
    /** Unexpired sessions of every account (the metrics' idp_sessions_live), or undefined when they live in Redis. */
    async countLive(): Promise<number | undefined> {
      if (redis) return undefined;
      const row = await db.get<{ n: number }>("SELECT count(*) AS n FROM oidc_models WHERE model = 'Session' AND (expires_at IS NULL OR expires_at > ?)", [nowSeconds()]);
      return Number(row?.n ?? 0);
    },
    /** Live sessions of the account with the fields this IdP reads from their payload. */
    async listSessions(accountId: string): Promise<StoredSession[]> {
      const rows = redis
        ? (await redis.list(accountId)).map((r) => ({ id: r.id, payload: r.payload as unknown as SessionPayload }))
        : (await db.all<{ id: string; payload: string }>(`SELECT id, payload FROM oidc_models WHERE model = 'Session' AND account_id = ?
          AND (expires_at IS NULL OR expires_at > ?)`, [accountId, nowSeconds()])).map((r) => ({ id: r.id, payload: JSON.parse(r.payload) as SessionPayload }));
      return rows.map(({ id, payload: p }) => ({ id, uid: p.uid, accountId: p.accountId, loginTs: p.loginTs, authorizations: p.authorizations ?? {} }));
    },
    async deleteSession(id: string): Promise<void> {
      if (redis) await redis.delete(id);
      else await db.run("DELETE FROM oidc_models WHERE model = 'Session' AND id = ?", [id]);
    },
    /** Grants of the account with their client, newest first. */
    async listGrants(accountId: string): Promise<{ id: string; clientId: string }[]> {
      const rows = await db.all<{ id: string; payload: string }>(`SELECT id, payload FROM oidc_models WHERE model = 'Grant' AND account_id = ?
        AND (expires_at IS NULL OR expires_at > ?)`, [accountId, nowSeconds()]);
      return rows.map((r) => ({ id: r.id, clientId: (JSON.parse(r.payload) as { clientId: string }).clientId }));
    },
    /** Live grants and tokens of the account: which client, under which grant, issued when (connected apps). */
    async listGrantUse(accountId: string): Promise<{ model: string; grantId: string; clientId: string; iat: number | null }[]> {
      const rows = await db.all<{ model: string; id: string; grant_id: string | null; payload: string }>(`SELECT model, id, grant_id, payload FROM oidc_models
        WHERE account_id = ? AND model IN ('Grant', 'AccessToken', 'RefreshToken') AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, [accountId, nowSeconds()]);
      return rows.map((r) => {
        const p = JSON.parse(r.payload) as { clientId?: string; iat?: number };
        return { model: r.model, grantId: r.model === 'Grant' ? r.id : r.grant_id ?? '', clientId: p.clientId ?? '', iat: typeof p.iat === 'number' ? p.iat : null };
      }).filter((r) => r.clientId !== '');
    },
    /** Client ids that hold a live refresh token of the account. */
    async clientsWithRefreshTokens(accountId: string): Promise<string[]> {
      const rows = await db.all<{ client_id: string }>(refreshTokenClients, [accountId, nowSeconds()]);
      return rows.map((r) => r.client_id);
    },
    /** Deletes a grant and every token and code issued under it. */
    async revokeGrant(grantId: string): Promise<void> {
      await db.run("DELETE FROM oidc_models WHERE grant_id = ? OR (model = 'Grant' AND id = ?)", [grantId, grantId]);
    },
    /** Every oidc-provider row of the account (sessions, grants, tokens, pending interactions). */
    async deleteAllOf(accountId: string): Promise<void> {
      await db.transaction(async () => {
        await db.run(`DELETE FROM oidc_models WHERE grant_id IN (SELECT id FROM oidc_models WHERE model = 'Grant' AND account_id = ?)`, [accountId]);
        await db.run('DELETE FROM oidc_models WHERE account_id = ?', [accountId]);
      });
      if (redis) await redis.deleteAll(accountId);
    },
    async recordDevice(d: { uid: string; accountId: string; userAgent: string; ip: string | null }): Promise<void> {
      const now = nowSeconds();
      await db.run(upsertDevice, [d.uid, d.accountId, d.userAgent, d.ip, now, now]);
    },
    async findDevice(uid: string): Promise<DeviceRow | undefined> {
      return db.get<DeviceRow>('SELECT * FROM session_devices WHERE session_uid = ?', [uid]);
    },
    async listDevices(accountId: string): Promise<DeviceRow[]> {
      return db.all<DeviceRow>('SELECT * FROM session_devices WHERE account_id = ? ORDER BY last_seen_at DESC', [accountId]);
    },
    async deleteDevice(uid: string): Promise<void> {
      await db.run('DELETE FROM session_devices WHERE session_uid = ?', [uid]);
    },
    async isKnownDevice(accountId: string, deviceHash: string): Promise<boolean> {
      return Boolean(await db.get('SELECT 1 AS one FROM known_devices WHERE account_id = ? AND device_hash = ?', [accountId, deviceHash]));
    },
    async countKnownDevices(accountId: string): Promise<number> {
      return (await db.get<{ n: number }>('SELECT count(*) AS n FROM known_devices WHERE account_id = ?', [accountId]))!.n;
    },
    /** Forgets every browser the account signed in from (a reset: none of them is vouched for any more). */
    async forgetKnownDevices(accountId: string): Promise<number> {
      return (await db.run('DELETE FROM known_devices WHERE account_id = ?', [accountId])).changes;
    },
    async addKnownDevice(accountId: string, deviceHash: string): Promise<void> {
      await db.run('INSERT INTO known_devices (account_id, device_hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [accountId, deviceHash, nowSeconds()]);
    },
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
  };
}

export type SessionRepository = ReturnType<typeof sessionRepository>;
