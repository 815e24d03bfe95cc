/**
 * SQL for the activity page over the security log (audit_log), and the IPs each API key was used from.
 * Pages are keyset pages on audit_log.id (newest first), so a cursor is the id of the last entry seen.
 */
import type { Db } from '../storage/database.ts';
import type { ActivityRow } from './types.ts';

export function activityRepository(db: Db) {
  return {
    /**
     * Up to `limit` shown events of the account older than entry `before` and not older than `since`,
     * newest first. `events` is the allow-list; `prefix` also admits events that start with it.
     */
    async page(accountId: string, q: { events: string[]; prefix: string; since: number; before?: number; limit: number }): Promise<ActivityRow[]> {
      const marks = q.events.map(() => '?').join(', ');
      const rows = await db.all<{ id: number | string; at: number | string; event: string; actor: string; ip: string | null; user_agent: string | null; client_id: string | null; data: string }>(
        `SELECT id, at, event, actor, ip, user_agent, client_id, data FROM audit_log
          WHERE account_id = ? AND at >= ? AND id < ? AND (event IN (${marks}) OR event LIKE ?)
          ORDER BY id DESC LIMIT ?`,
        [accountId, q.since, q.before ?? Number.MAX_SAFE_INTEGER, ...q.events, `${q.prefix}%`, q.limit]);
      return rows.map((r) => ({
        id: Number(r.id), at: Number(r.at), event: r.event, actor: r.actor, ip: r.ip, userAgent: r.user_agent, clientId: r.client_id,
        data: JSON.parse(r.data) as Record<string, unknown>,
      }));
    },
    /** Deletes events older than `before` (the retention window); returns how many. */
    async purgeOlderThan(before: number): Promise<number> {
      return (await db.run('DELETE FROM audit_log WHERE at < ?', [before])).changes;
    },
    /** Records that `keyId` was used from `ip`; true only the first time. */
    async noteKeyIp(keyId: string, ip: string, at: number): Promise<boolean> {
      return (await db.run('INSERT INTO api_key_ips (key_id, ip, first_seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [keyId, ip, at])).changes === 1;
    },
  };
}

export type ActivityRepository = ReturnType<typeof activityRepository>;
