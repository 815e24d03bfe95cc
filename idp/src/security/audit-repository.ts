/** The security log: one row per security-relevant event. */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../clock.ts';
import { currentRequestOrigin } from '../activity/request-origin.ts';

export interface AuditEvent {
  accountId: string | null;
  actor: string;
  event: string;
  ip?: string | null;
  /** Browser or client software; by default the current request's (see activity/request-origin.ts). */
  userAgent?: string | null;
  /** The database or app it went through; by default the current request's sign-in client. */
  clientId?: string | null;
  data?: Record<string, unknown>;
}

export function auditRepository(db: Db) {
  return {
    async record(e: AuditEvent): Promise<void> {
      // The request's device and IP describe the account's own actions and attempts against it only.
      const own = e.accountId !== null && (e.actor === e.accountId || e.actor === 'anonymous');
      const origin = own ? currentRequestOrigin() : undefined;
      await db.run('INSERT INTO audit_log (at, account_id, actor, event, ip, data, user_agent, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [nowSeconds(), e.accountId, e.actor, e.event, e.ip ?? origin?.ip ?? null, JSON.stringify(e.data ?? {}),
          e.userAgent ?? origin?.userAgent ?? null, e.clientId ?? origin?.clientId ?? null]);
    },
    /** Time of the newest event of this kind for the account. */
    async lastAt(accountId: string, event: string): Promise<number | undefined> {
      const row = await db.get<{ at: number | null }>('SELECT max(at) AS at FROM audit_log WHERE account_id = ? AND event = ?', [accountId, event]);
      return row?.at ?? undefined;
    },
    async listForAccount(accountId: string, limit = 50): Promise<{ at: number; event: string; actor: string; ip: string | null; data: Record<string, unknown> }[]> {
      return (await db.all<{ at: number; event: string; actor: string; ip: string | null; data: string }>(
        'SELECT at, event, actor, ip, data FROM audit_log WHERE account_id = ? ORDER BY id DESC LIMIT ?', [accountId, limit],
      )).map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
