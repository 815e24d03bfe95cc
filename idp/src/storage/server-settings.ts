/**
 * Server secrets and signing keys, kept in the shared store so every process (and every instance on a
 * shared database) uses the same ones, generated once on first start.
 */
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from './database.ts';
import { nowSeconds } from '../clock.ts';

/**
 * One active key per algorithm. ES256 signs by default; RS256 is there because OpenID Connect Discovery
 * requires it and many relying parties verify nothing else; EdDSA for those that prefer it.
 */
export const signingAlgorithms = ['ES256', 'RS256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** How long a retired key stays published: longer than any token it may have signed lives. */
export const RETIRED_KEY_PUBLISHED_SECONDS = 15 * 24 * 3600;

export async function getOrCreateSetting(db: Db, name: string, create: () => string): Promise<string> {
  const existing = await db.get<{ value: string }>('SELECT value FROM server_settings WHERE name = ?', [name]);
  if (existing) return existing.value;
  await db.run('INSERT INTO server_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, create()]);
  return (await db.get<{ value: string }>('SELECT value FROM server_settings WHERE name = ?', [name]))!.value;
}

export async function cookieSecrets(db: Db): Promise<string[]> {
  const value = await getOrCreateSetting(db, 'cookie_secrets', () => JSON.stringify([crypto.randomBytes(32).toString('base64url')]));
  return JSON.parse(value) as string[];
}

/** A monotonically increasing counter bumped on every key change; processes poll it to reload keys. */
export async function keysVersion(db: Db): Promise<number> {
  const row = await db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'keys_version'");
  return row ? Number(row.value) : 0;
}

async function bumpKeysVersion(db: Db): Promise<void> {
  await db.run(`INSERT INTO server_settings (name, value) VALUES ('keys_version', '1')
    ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(server_settings.value AS INTEGER) + 1 AS TEXT)`);
}

async function newKey(alg: SigningAlgorithm): Promise<{ kid: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined, modulusLength: alg === 'RS256' ? 2048 : undefined });
  const jwk = await exportJWK(privateKey);
  const kid = crypto.randomBytes(12).toString('base64url');
  return { kid, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

const activeKey = 'SELECT 1 AS one FROM signing_keys WHERE alg = ? AND retired_at IS NULL';

/** Ensures one active key per algorithm exists (first start). */
export async function ensureSigningKeys(db: Db): Promise<void> {
  for (const alg of signingAlgorithms) {
    if (await db.get(activeKey, [alg])) continue;
    const { kid, jwk } = await newKey(alg);
    await db.transaction(async () => {
      if (await db.get(activeKey, [alg])) return;
      await db.run('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)', [kid, alg, JSON.stringify(jwk), nowSeconds()]);
      await bumpKeysVersion(db);
    });
  }
}

export interface RotatedKey {
  alg: SigningAlgorithm;
  kid: string;
  retired: string[];
}

/** Adds a new active key per algorithm; the old ones are retired but stay published for a while. */
export async function rotateSigningKeys(db: Db): Promise<RotatedKey[]> {
  const fresh = await Promise.all(signingAlgorithms.map(async (alg) => ({ alg, ...(await newKey(alg)) })));
  const now = nowSeconds();
  return db.transaction(async () => {
    const result: RotatedKey[] = [];
    for (const { alg, kid, jwk } of fresh) {
      const old = await db.all<{ kid: string }>('SELECT kid FROM signing_keys WHERE alg = ? AND retired_at IS NULL', [alg]);
      await db.run('UPDATE signing_keys SET retired_at = ?, remove_after = ? WHERE alg = ? AND retired_at IS NULL', [now, now + RETIRED_KEY_PUBLISHED_SECONDS, alg]);
      await db.run('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)', [kid, alg, JSON.stringify(jwk), now]);
      result.push({ alg, kid, retired: old.map((k) => k.kid) });
    }
    await db.run('DELETE FROM signing_keys WHERE remove_after IS NOT NULL AND remove_after <= ?', [now]);
    await bumpKeysVersion(db);
    return result;
  });
}

/** The private JWKS for oidc-provider: active keys first (they sign), then retired ones (verify only). */
export async function loadJwks(db: Db): Promise<{ keys: JWK[] }> {
  const rows = await db.all<{ private_jwk: string }>(`SELECT private_jwk FROM signing_keys WHERE remove_after IS NULL OR remove_after > ?
    ORDER BY retired_at IS NOT NULL, created_at DESC`, [nowSeconds()]);
  return { keys: rows.map((r) => JSON.parse(r.private_jwk) as JWK) };
}

export async function listSigningKeys(db: Db): Promise<{ kid: string; alg: string; createdAt: number; retiredAt: number | null; removeAfter: number | null }[]> {
  return (await db.all<{
    kid: string; alg: string; created_at: number; retired_at: number | null; remove_after: number | null;
  }>('SELECT kid, alg, created_at, retired_at, remove_after FROM signing_keys ORDER BY created_at DESC'))
    .map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at, removeAfter: r.remove_after }));
}
