/** The security log: one row per security-relevant event. */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';

export interface AuditEvent {
  accountId: string | null;
  actor: string;
  event: string;
  ip?: string | null;
  data?: Record<string, unknown>;
}

export function auditRepository(db: Db) {
  const insert = db.prepare('INSERT INTO audit_log (at, account_id, actor, event, ip, data) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    record(e: AuditEvent): void {
      insert.run(nowSeconds(), e.accountId, e.actor, e.event, e.ip ?? null, JSON.stringify(e.data ?? {}));
    },
    /** Time of the newest event of this kind for the account. */
    lastAt(accountId: string, event: string): number | undefined {
      const row = db.prepare('SELECT max(at) AS at FROM audit_log WHERE account_id = ? AND event = ?').get(accountId, event) as { at: number | null };
      return row.at ?? undefined;
    },
    listForAccount(accountId: string, limit = 50): { at: number; event: string; actor: string; ip: string | null; data: Record<string, unknown> }[] {
      return (db.prepare('SELECT at, event, actor, ip, data FROM audit_log WHERE account_id = ? ORDER BY id DESC LIMIT ?').all(accountId, limit) as {
        at: number; event: string; actor: string; ip: string | null; data: string;
      }[]).map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
