/**
 * SQL for the second factor: the TOTP credential (type 'totp', pending enrollment 'totp_pending'),
 * recovery codes (type 'recovery_code', one row per code, SHA-256 only), trusted devices and sign-ins
 * waiting for their second factor.
 *
 * TOTP secrets (active and pending) are stored sealed (secret-box.ts, context `totp:<account id>`) and
 * opened here; the service only sees clear secrets. Rows written before encryption hold the clear base32
 * secret: they are still read as such, and `sealLegacySecrets` (run at every start) seals them in place.
 */
import type { Db } from '../storage/database.ts';
import { nowSeconds } from '../clock.ts';
import { isSealed, resealed, type SecretBox } from '../storage/secret-box.ts';
import { hashId } from '../storage/oidc-adapter.ts';
import { randomId } from './tokens.ts';

export interface TotpRow {
  id: string;
  secret: string;
  lastTimeStep: number;
  createdAt: number;
}

const totpContext = (accountId: string) => `totp:${accountId}`;

export function twoFactorRepository(db: Db, box: SecretBox) {
  const openTotp = (accountId: string, stored: string) => isSealed(stored) ? box.open(stored, totpContext(accountId)) : stored;
  const insertCredential = (accountId: string, type: string, secret: string, data: string, now: number) =>
    db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [randomId('cred_'), accountId, type, secret, data, now, now]);
  const claim = db.pick(
    `UPDATE credentials SET data = json_set(data, '$.lastTimeStep', ?), updated_at = ?
      WHERE id = ? AND coalesce(json_extract(data, '$.lastTimeStep'), -1) < ?`,
    `UPDATE credentials SET data = jsonb_set(data::jsonb, '{lastTimeStep}', to_jsonb(?::bigint))::text, updated_at = ?
      WHERE id = ? AND coalesce((data::jsonb ->> 'lastTimeStep')::bigint, -1) < ?`,
  );
  return {
    async findTotp(accountId: string, type: 'totp' | 'totp_pending'): Promise<TotpRow | undefined> {
      const row = await db.get<{ id: string; secret: string; data: string; created_at: number }>(
        'SELECT id, secret, data, created_at FROM credentials WHERE account_id = ? AND type = ? ORDER BY created_at DESC LIMIT 1', [accountId, type]);
      if (!row) return undefined;
      const data = JSON.parse(row.data) as { lastTimeStep?: number };
      return { id: row.id, secret: openTotp(accountId, row.secret), lastTimeStep: data.lastTimeStep ?? -1, createdAt: row.created_at };
    },
    async savePendingTotp(accountId: string, secret: string): Promise<void> {
      const now = nowSeconds();
      await db.transaction(async () => {
        await db.run("DELETE FROM credentials WHERE account_id = ? AND type = 'totp_pending'", [accountId]);
        await insertCredential(accountId, 'totp_pending', box.seal(secret, totpContext(accountId)), '{}', now);
      });
    },
    /** Turns the pending secret into the active one and stores the recovery code hashes, atomically. */
    async activateTotp(accountId: string, secret: string, timeStep: number, recoveryHashes: string[]): Promise<void> {
      const now = nowSeconds();
      await db.transaction(async () => {
        await db.run("DELETE FROM credentials WHERE account_id = ? AND type IN ('totp', 'totp_pending', 'recovery_code')", [accountId]);
        await insertCredential(accountId, 'totp', box.seal(secret, totpContext(accountId)), JSON.stringify({ lastTimeStep: timeStep }), now);
        for (const hash of recoveryHashes) await insertCredential(accountId, 'recovery_code', hash, '{}', now);
      });
    },
    /** Records `timeStep` as used; false when it (or a later one) was used already (replay). */
    async claimTimeStep(credentialId: string, timeStep: number): Promise<boolean> {
      return (await db.run(claim, [timeStep, nowSeconds(), credentialId, timeStep])).changes === 1;
    },
    /**
     * Seals TOTP secrets still stored in clear (rows from before encryption, or imported from such a
     * store). Each update is conditional on the clear value, so instances doing it at once do no harm.
     */
    async sealLegacySecrets(): Promise<number> {
      const rows = await db.all<{ id: string; account_id: string; secret: string }>(
        "SELECT id, account_id, secret FROM credentials WHERE type IN ('totp', 'totp_pending') AND secret NOT LIKE 'v1.%' AND secret NOT LIKE 'v2.%'");
      let sealed = 0;
      for (const row of rows) {
        if (isSealed(row.secret)) continue;
        sealed += (await db.run('UPDATE credentials SET secret = ? WHERE id = ? AND secret = ?',
          [box.seal(row.secret, totpContext(row.account_id)), row.id, row.secret])).changes;
      }
      return sealed;
    },
    /** Re-seals every TOTP secret not sealed under the first key (`idp secret-key rotate`); conditional updates. */
    async resealSecrets(): Promise<number> {
      const rows = await db.all<{ id: string; account_id: string; secret: string }>(
        "SELECT id, account_id, secret FROM credentials WHERE type IN ('totp', 'totp_pending')");
      let written = 0;
      for (const row of rows) {
        const next = resealed(box, row.secret, totpContext(row.account_id), 'rotate');
        if (next !== undefined) written += (await db.run('UPDATE credentials SET secret = ? WHERE id = ? AND secret = ?', [next, row.id, row.secret])).changes;
      }
      return written;
    },
    async removeTwoFactor(accountId: string): Promise<void> {
      await db.run("DELETE FROM credentials WHERE account_id = ? AND type IN ('totp', 'totp_pending', 'recovery_code')", [accountId]);
    },
    async replaceRecoveryCodes(accountId: string, hashes: string[]): Promise<void> {
      const now = nowSeconds();
      await db.transaction(async () => {
        await db.run("DELETE FROM credentials WHERE account_id = ? AND type = 'recovery_code'", [accountId]);
        for (const hash of hashes) await insertCredential(accountId, 'recovery_code', hash, '{}', now);
      });
    },
    /** Deletes the matching recovery code; true when one was there (each works once). */
    async consumeRecoveryCode(accountId: string, hash: string): Promise<boolean> {
      return (await db.run("DELETE FROM credentials WHERE account_id = ? AND type = 'recovery_code' AND secret = ?", [accountId, hash])).changes === 1;
    },
    async countRecoveryCodes(accountId: string): Promise<number> {
      return (await db.get<{ n: number }>("SELECT count(*) AS n FROM credentials WHERE account_id = ? AND type = 'recovery_code'", [accountId]))!.n;
    },

    async addTrustedDevice(accountId: string, tokenHash: string, userAgent: string, expiresAt: number, ip: string | null = null): Promise<void> {
      await db.run('INSERT INTO trusted_devices (token_hash, account_id, user_agent, created_at, expires_at, id, ip) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [tokenHash, accountId, userAgent.slice(0, 512), nowSeconds(), expiresAt, randomId('td_'), ip]);
    },
    /** True for a live trusted device of the account, whose last use it records in the same statement. */
    async isTrustedDevice(accountId: string, tokenHash: string): Promise<boolean> {
      const now = nowSeconds();
      return (await db.run('UPDATE trusted_devices SET last_used_at = ? WHERE token_hash = ? AND account_id = ? AND expires_at > ?', [now, tokenHash, accountId, now])).changes === 1;
    },
    /** Live trusted devices of the account, newest first (never the token digest). */
    async listTrustedDevices(accountId: string): Promise<{ id: string; userAgent: string; ip: string | null; createdAt: number; lastUsedAt: number | null; expiresAt: number }[]> {
      const rows = await db.all<{ id: string; user_agent: string; ip: string | null; created_at: number | string; last_used_at: number | string | null; expires_at: number | string }>(
        'SELECT id, user_agent, ip, created_at, last_used_at, expires_at FROM trusted_devices WHERE account_id = ? AND expires_at > ? ORDER BY created_at DESC, id', [accountId, nowSeconds()]);
      return rows.map((r) => ({ id: r.id, userAgent: r.user_agent, ip: r.ip, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), expiresAt: Number(r.expires_at) }));
    },
    /** Forgets one trusted device of the account; false when it has none with that id. */
    async revokeTrustedDevice(accountId: string, id: string): Promise<boolean> {
      return (await db.run('DELETE FROM trusted_devices WHERE id = ? AND account_id = ?', [id, accountId])).changes === 1;
    },
    async countTrustedDevices(accountId: string): Promise<number> {
      return (await db.get<{ n: number }>('SELECT count(*) AS n FROM trusted_devices WHERE account_id = ? AND expires_at > ?', [accountId, nowSeconds()]))!.n;
    },
    async forgetTrustedDevices(accountId: string): Promise<number> {
      return (await db.run('DELETE FROM trusted_devices WHERE account_id = ?', [accountId])).changes;
    },

    // Pending second factors are keyed by the hash of the interaction id, which is the value of the
    // interaction cookie: a copy of the store holds nothing a browser could present (issue 13).
    async setPending(interactionUid: string, accountId: string, ttlSeconds: number): Promise<void> {
      const now = nowSeconds();
      await db.run(`INSERT INTO pending_second_factor (interaction_uid, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (interaction_uid) DO UPDATE SET account_id = excluded.account_id, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        [hashId(interactionUid), accountId, now, now + ttlSeconds]);
    },
    async findPending(interactionUid: string): Promise<string | undefined> {
      const row = await db.get<{ account_id: string }>('SELECT account_id FROM pending_second_factor WHERE interaction_uid = ? AND expires_at > ?', [hashId(interactionUid), nowSeconds()]);
      return row?.account_id;
    },
    async clearPending(interactionUid: string): Promise<void> {
      await db.run('DELETE FROM pending_second_factor WHERE interaction_uid = ?', [hashId(interactionUid)]);
    },
    async purgeExpired(): Promise<number> {
      const now = nowSeconds();
      return (await db.run('DELETE FROM pending_second_factor WHERE expires_at <= ?', [now])).changes
        + (await db.run('DELETE FROM trusted_devices WHERE expires_at <= ?', [now])).changes;
    },
  };
}

export type TwoFactorRepository = ReturnType<typeof twoFactorRepository>;
