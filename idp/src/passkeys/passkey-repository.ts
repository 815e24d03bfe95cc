/** All SQL about passkeys and their challenges (tables webauthn_credentials and webauthn_challenges). */
import type { Db } from '../storage/database.ts';
import type { ChallengeBinding, ChallengePurpose, Passkey } from './types.ts';

interface PasskeyRow {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  sign_count: number;
  transports: string;
  backup_eligible: number;
  backup_state: number;
  aaguid: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id, accountId: r.account_id, credentialId: r.credential_id, publicKey: r.public_key, signCount: Number(r.sign_count),
  transports: JSON.parse(r.transports) as string[], backupEligible: Boolean(r.backup_eligible), backupState: Boolean(r.backup_state),
  aaguid: r.aaguid, name: r.name, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export function passkeyRepository(db: Db) {
  return {
    async listByAccount(accountId: string): Promise<Passkey[]> {
      const rows = await db.all<PasskeyRow>('SELECT * FROM webauthn_credentials WHERE account_id = ? ORDER BY created_at, id', [accountId]);
      return rows.map(toPasskey);
    },
    async countByAccount(accountId: string): Promise<number> {
      const row = await db.get<{ n: number }>('SELECT count(*) AS n FROM webauthn_credentials WHERE account_id = ?', [accountId]);
      return Number(row?.n ?? 0);
    },
    async findByCredentialId(credentialId: string): Promise<Passkey | undefined> {
      const row = await db.get<PasskeyRow>('SELECT * FROM webauthn_credentials WHERE credential_id = ?', [credentialId]);
      return row && toPasskey(row);
    },
    async findForAccount(accountId: string, id: string): Promise<Passkey | undefined> {
      const row = await db.get<PasskeyRow>('SELECT * FROM webauthn_credentials WHERE account_id = ? AND id = ?', [accountId, id]);
      return row && toPasskey(row);
    },
    /** Inserts unless the account is at `max` passkeys (checked in the same transaction); false when full. */
    async insertUnderLimit(p: Passkey, max: number): Promise<boolean> {
      return db.transaction(async () => {
        const row = await db.get<{ n: number }>('SELECT count(*) AS n FROM webauthn_credentials WHERE account_id = ?', [p.accountId]);
        if (Number(row?.n ?? 0) >= max) return false;
        await db.run(`INSERT INTO webauthn_credentials (id, account_id, credential_id, public_key, sign_count, transports,
            backup_eligible, backup_state, aaguid, name, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [p.id, p.accountId, p.credentialId, p.publicKey, p.signCount, JSON.stringify(p.transports), p.backupEligible ? 1 : 0,
          p.backupState ? 1 : 0, p.aaguid, p.name, p.createdAt, p.lastUsedAt]);
        return true;
      });
    },
    /**
     * Records a use: the counter moves only forward (the WHERE makes two parallel uses of one counter
     * value count once). Returns false when another use got there first.
     */
    async recordUse(id: string, previousCount: number, next: { signCount: number; backupState: boolean; at: number }): Promise<boolean> {
      const result = await db.run(`UPDATE webauthn_credentials SET sign_count = ?, backup_state = ?, last_used_at = ?
        WHERE id = ? AND sign_count = ?`, [next.signCount, next.backupState ? 1 : 0, next.at, id, previousCount]);
      return result.changes === 1;
    },
    async rename(accountId: string, id: string, name: string): Promise<boolean> {
      return (await db.run('UPDATE webauthn_credentials SET name = ? WHERE account_id = ? AND id = ?', [name, accountId, id])).changes === 1;
    },
    async delete(accountId: string, id: string): Promise<boolean> {
      return (await db.run('DELETE FROM webauthn_credentials WHERE account_id = ? AND id = ?', [accountId, id])).changes === 1;
    },
    async hasPassword(accountId: string): Promise<boolean> {
      return Boolean(await db.get("SELECT 1 AS one FROM credentials WHERE account_id = ? AND type = 'password'", [accountId]));
    },
    async insertChallenge(challengeHash: string, bound: ChallengeBinding, expiresAt: number): Promise<void> {
      await db.run('INSERT INTO webauthn_challenges (challenge_hash, purpose, binding, account_id, expires_at) VALUES (?, ?, ?, ?, ?)',
        [challengeHash, bound.purpose, bound.binding, bound.accountId ?? null, expiresAt]);
    },
    /**
     * Takes (deletes) the challenge and returns what it was bound to, or undefined when it is unknown,
     * already taken, or for another purpose. Expiry is the caller's to check: a taken expired challenge
     * is gone either way.
     */
    async takeChallenge(challengeHash: string, purpose: ChallengePurpose): Promise<(ChallengeBinding & { expiresAt: number }) | undefined> {
      const row = await db.get<{ purpose: ChallengePurpose; binding: string; account_id: string | null; expires_at: number }>(
        'DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND purpose = ? RETURNING purpose, binding, account_id, expires_at',
        [challengeHash, purpose]);
      return row && { purpose: row.purpose, binding: row.binding, accountId: row.account_id ?? undefined, expiresAt: Number(row.expires_at) };
    },
    async countChallenges(binding: string, now: number): Promise<number> {
      const row = await db.get<{ n: number }>('SELECT count(*) AS n FROM webauthn_challenges WHERE binding = ? AND expires_at > ?', [binding, now]);
      return Number(row?.n ?? 0);
    },
    async purgeExpiredChallenges(now: number): Promise<number> {
      return (await db.run('DELETE FROM webauthn_challenges WHERE expires_at <= ?', [now])).changes;
    },
  };
}

export type PasskeyRepository = ReturnType<typeof passkeyRepository>;
