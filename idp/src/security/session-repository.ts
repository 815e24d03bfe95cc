/** SQL over oidc-provider's stored sessions and grants, by account. */
import type { Db } from '../storage/database.ts';

export function sessionRepository(db: Db) {
  return {
    /**
     * Ends every session of the account and every grant and token issued to it (refresh tokens
     * included). Returns how many sessions were ended.
     */
    revokeAll(accountId: string): number {
      return db.transaction(() => {
        const sessions = db.prepare("SELECT count(*) AS n FROM oidc_models WHERE account_id = ? AND model = 'Session'").get(accountId) as { n: number };
        db.prepare(`DELETE FROM oidc_models WHERE grant_id IN (SELECT id FROM oidc_models WHERE model = 'Grant' AND account_id = ?)`).run(accountId);
        db.prepare('DELETE FROM oidc_models WHERE account_id = ?').run(accountId);
        return sessions.n;
      }).immediate();
    },
  };
}
