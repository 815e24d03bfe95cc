/** SQL for accounts in lockdown (account_lockdowns): one row while sign-in is refused. */
import type { Db } from '../storage/database.ts';

export function lockdownRepository(db: Db) {
  return {
    async lock(accountId: string, at: number): Promise<void> {
      await db.run('INSERT INTO account_lockdowns (account_id, locked_at) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET locked_at = excluded.locked_at', [accountId, at]);
    },
    async isLocked(accountId: string): Promise<boolean> {
      return Boolean(await db.get('SELECT 1 AS one FROM account_lockdowns WHERE account_id = ?', [accountId]));
    },
    /** Ends the lockdown; true when there was one. */
    async lift(accountId: string): Promise<boolean> {
      return (await db.run('DELETE FROM account_lockdowns WHERE account_id = ?', [accountId])).changes === 1;
    },
  };
}

export type LockdownRepository = ReturnType<typeof lockdownRepository>;
