/**
 * SQL for the second factor: the TOTP credential (type 'totp', pending enrollment 'totp_pending'),
 * recovery codes (type 'recovery_code', one row per code, SHA-256 only), trusted devices and sign-ins
 * waiting for their second factor.
 */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../storage/database.ts';
import { randomId } from './tokens.ts';

export interface TotpRow {
  id: string;
  secret: string;
  lastTimeStep: number;
  createdAt: number;
}

export function twoFactorRepository(db: Db) {
  const insertCredential = db.prepare(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  return {
    findTotp(accountId: string, type: 'totp' | 'totp_pending'): TotpRow | undefined {
      const row = db.prepare('SELECT id, secret, data, created_at FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at DESC LIMIT 1')
        .get(accountId, type) as { id: string; secret: string; data: string; created_at: number } | undefined;
      if (!row) return undefined;
      const data = JSON.parse(row.data) as { lastTimeStep?: number };
      return { id: row.id, secret: row.secret, lastTimeStep: data.lastTimeStep ?? -1, createdAt: row.created_at };
    },
    savePendingTotp(accountId: string, secret: string): void {
      const now = nowSeconds();
      db.transaction(() => {
        db.prepare("DELETE FROM credentials WHERE account_id = ? AND type = 'totp_pending'").run(accountId);
        insertCredential.run(randomId('cred_'), accountId, 'totp_pending', secret, '{}', now, now);
      }).immediate();
    },
    /** Turns the pending secret into the active one and stores the recovery code hashes, atomically. */
    activateTotp(accountId: string, secret: string, timeStep: number, recoveryHashes: string[]): void {
      const now = nowSeconds();
      db.transaction(() => {
        db.prepare("DELETE FROM credentials WHERE account_id = ? AND type IN ('totp', 'totp_pending', 'recovery_code')").run(accountId);
        insertCredential.run(randomId('cred_'), accountId, 'totp', secret, JSON.stringify({ lastTimeStep: timeStep }), now, now);
        for (const hash of recoveryHashes) insertCredential.run(randomId('cred_'), accountId, 'recovery_code', hash, '{}', now, now);
      }).immediate();
    },
    /** Records `timeStep` as used; false when it (or a later one) was used already (replay). */
    claimTimeStep(credentialId: string, timeStep: number): boolean {
      return db.prepare(`UPDATE credentials SET data = json_set(data, '$.lastTimeStep', ?), updated_at = ?
        WHERE id = ? AND coalesce(json_extract(data, '$.lastTimeStep'), -1) < ?`).run(timeStep, nowSeconds(), credentialId, timeStep).changes === 1;
    },
    removeTwoFactor(accountId: string): void {
      db.prepare("DELETE FROM credentials WHERE account_id = ? AND type IN ('totp', 'totp_pending', 'recovery_code')").run(accountId);
    },
    replaceRecoveryCodes(accountId: string, hashes: string[]): void {
      const now = nowSeconds();
      db.transaction(() => {
        db.prepare("DELETE FROM credentials WHERE account_id = ? AND type = 'recovery_code'").run(accountId);
        for (const hash of hashes) insertCredential.run(randomId('cred_'), accountId, 'recovery_code', hash, '{}', now, now);
      }).immediate();
    },
    /** Deletes the matching recovery code; true when one was there (each works once). */
    consumeRecoveryCode(accountId: string, hash: string): boolean {
      return db.prepare("DELETE FROM credentials WHERE account_id = ? AND type = 'recovery_code' AND secret = ?").run(accountId, hash).changes === 1;
    },
    countRecoveryCodes(accountId: string): number {
      return (db.prepare("SELECT count(*) AS n FROM credentials WHERE account_id = ? AND type = 'recovery_code'").get(accountId) as { n: number }).n;
    },

    addTrustedDevice(accountId: string, tokenHash: string, userAgent: string, expiresAt: number): void {
      db.prepare('INSERT INTO trusted_devices (token_hash, account_id, user_agent, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(tokenHash, accountId, userAgent.slice(0, 512), nowSeconds(), expiresAt);
    },
    isTrustedDevice(accountId: string, tokenHash: string): boolean {
      return Boolean(db.prepare('SELECT 1 FROM trusted_devices WHERE token_hash = ? AND account_id = ? AND expires_at > ?').get(tokenHash, accountId, nowSeconds()));
    },
    countTrustedDevices(accountId: string): number {
      return (db.prepare('SELECT count(*) AS n FROM trusted_devices WHERE account_id = ? AND expires_at > ?').get(accountId, nowSeconds()) as { n: number }).n;
    },
    forgetTrustedDevices(accountId: string): number {
      return db.prepare('DELETE FROM trusted_devices WHERE account_id = ?').run(accountId).changes;
    },

    setPending(interactionUid: string, accountId: string, ttlSeconds: number): void {
      const now = nowSeconds();
      db.prepare(`INSERT INTO pending_second_factor (interaction_uid, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (interaction_uid) DO UPDATE SET account_id = excluded.account_id, created_at = excluded.created_at, expires_at = excluded.expires_at`)
        .run(interactionUid, accountId, now, now + ttlSeconds);
    },
    findPending(interactionUid: string): string | undefined {
      const row = db.prepare('SELECT account_id FROM pending_second_factor WHERE interaction_uid = ? AND expires_at > ?').get(interactionUid, nowSeconds()) as { account_id: string } | undefined;
      return row?.account_id;
    },
    clearPending(interactionUid: string): void {
      db.prepare('DELETE FROM pending_second_factor WHERE interaction_uid = ?').run(interactionUid);
    },
    purgeExpired(): number {
      const now = nowSeconds();
      return db.prepare('DELETE FROM pending_second_factor WHERE expires_at <= ?').run(now).changes
        + db.prepare('DELETE FROM trusted_devices WHERE expires_at <= ?').run(now).changes;
    },
  };
}

export type TwoFactorRepository = ReturnType<typeof twoFactorRepository>;
