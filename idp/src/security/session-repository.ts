/**
 * SQL over oidc-provider's stored sessions and grants (the oidc_models table), and over the device rows
 * this IdP keeps beside them (session_devices keyed by the Session uid, known_devices for new-device mail).
 */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';

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

export function sessionRepository(db: Db) {
  const upsertDevice = db.prepare(`INSERT INTO session_devices (session_uid, account_id, user_agent, ip, first_seen_at, last_seen_at)
    VALUES (@uid, @accountId, @userAgent, @ip, @now, @now)
    ON CONFLICT (session_uid) DO UPDATE SET last_seen_at = excluded.last_seen_at, ip = excluded.ip,
      user_agent = CASE WHEN excluded.user_agent <> '' THEN excluded.user_agent ELSE user_agent END
    WHERE account_id = excluded.account_id`);
  return {
    /** Live sessions of the account with the fields this IdP reads from their payload. */
    listSessions(accountId: string): StoredSession[] {
      const rows = db.prepare(`SELECT id, payload FROM oidc_models WHERE model = 'Session' AND account_id = ?
        AND (expires_at IS NULL OR expires_at > ?)`).all(accountId, nowSeconds()) as { id: string; payload: string }[];
      return rows.map((r) => {
        const p = JSON.parse(r.payload) as { uid: string; accountId: string; loginTs?: number; authorizations?: StoredSession['authorizations'] };
        return { id: r.id, uid: p.uid, accountId: p.accountId, loginTs: p.loginTs, authorizations: p.authorizations ?? {} };
      });
    },
    deleteSession(id: string): void {
      db.prepare("DELETE FROM oidc_models WHERE model = 'Session' AND id = ?").run(id);
    },
    /** Grants of the account with their client, newest first. */
    listGrants(accountId: string): { id: string; clientId: string }[] {
      const rows = db.prepare(`SELECT id, payload FROM oidc_models WHERE model = 'Grant' AND account_id = ?
        AND (expires_at IS NULL OR expires_at > ?)`).all(accountId, nowSeconds()) as { id: string; payload: string }[];
      return rows.map((r) => ({ id: r.id, clientId: (JSON.parse(r.payload) as { clientId: string }).clientId }));
    },
    /** Client ids that hold a live refresh token of the account. */
    clientsWithRefreshTokens(accountId: string): string[] {
      const rows = db.prepare(`SELECT DISTINCT json_extract(payload, '$.clientId') AS client_id FROM oidc_models
        WHERE model = 'RefreshToken' AND account_id = ? AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`)
        .all(accountId, nowSeconds()) as { client_id: string }[];
      return rows.map((r) => r.client_id);
    },
    /** Deletes a grant and every token and code issued under it. */
    revokeGrant(grantId: string): void {
      db.prepare("DELETE FROM oidc_models WHERE grant_id = ? OR (model = 'Grant' AND id = ?)").run(grantId, grantId);
    },
    /** Every oidc-provider row of the account (sessions, grants, tokens, pending interactions). */
    deleteAllOf(accountId: string): void {
      db.prepare(`DELETE FROM oidc_models WHERE grant_id IN (SELECT id FROM oidc_models WHERE model = 'Grant' AND account_id = ?)`).run(accountId);
      db.prepare('DELETE FROM oidc_models WHERE account_id = ?').run(accountId);
    },
    recordDevice(d: { uid: string; accountId: string; userAgent: string; ip: string | null }): void {
      upsertDevice.run({ ...d, now: nowSeconds() });
    },
    findDevice(uid: string): DeviceRow | undefined {
      return db.prepare('SELECT * FROM session_devices WHERE session_uid = ?').get(uid) as DeviceRow | undefined;
    },
    listDevices(accountId: string): DeviceRow[] {
      return db.prepare('SELECT * FROM session_devices WHERE account_id = ? ORDER BY last_seen_at DESC').all(accountId) as DeviceRow[];
    },
    deleteDevice(uid: string): void {
      db.prepare('DELETE FROM session_devices WHERE session_uid = ?').run(uid);
    },
    isKnownDevice(accountId: string, deviceHash: string): boolean {
      return Boolean(db.prepare('SELECT 1 FROM known_devices WHERE account_id = ? AND device_hash = ?').get(accountId, deviceHash));
    },
    countKnownDevices(accountId: string): number {
      return (db.prepare('SELECT count(*) AS n FROM known_devices WHERE account_id = ?').get(accountId) as { n: number }).n;
    },
    addKnownDevice(accountId: string, deviceHash: string): void {
      db.prepare('INSERT OR IGNORE INTO known_devices (account_id, device_hash, created_at) VALUES (?, ?, ?)').run(accountId, deviceHash, nowSeconds());
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}

export type SessionRepository = ReturnType<typeof sessionRepository>;
