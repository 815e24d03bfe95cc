/**
 * Server secrets and signing keys, kept in the shared store so every process (and every instance on a
 * shared database) uses the same ones, generated once on first start.
 */
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from './database.ts';
import { nowSeconds } from './database.ts';

export const signingAlgorithms = ['ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** How long a retired key stays published: longer than any token it may have signed lives. */
export const RETIRED_KEY_PUBLISHED_SECONDS = 15 * 24 * 3600;

export function getOrCreateSetting(db: Db, name: string, create: () => string): string {
  db.prepare('INSERT INTO server_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, create());
  return (db.prepare('SELECT value FROM server_settings WHERE name = ?').get(name) as { value: string }).value;
}

export function cookieSecrets(db: Db): string[] {
  const value = getOrCreateSetting(db, 'cookie_secrets', () => JSON.stringify([crypto.randomBytes(32).toString('base64url')]));
  return JSON.parse(value) as string[];
}

/** A monotonically increasing counter bumped on every key change; processes poll it to reload keys. */
export function keysVersion(db: Db): number {
  const row = db.prepare("SELECT value FROM server_settings WHERE name = 'keys_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

function bumpKeysVersion(db: Db): void {
  db.prepare(`INSERT INTO server_settings (name, value) VALUES ('keys_version', '1')
    ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run();
}

async function newKey(alg: SigningAlgorithm): Promise<{ kid: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
  const jwk = await exportJWK(privateKey);
  const kid = crypto.randomBytes(12).toString('base64url');
  return { kid, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

/** Ensures one active key per algorithm exists (first start). */
export async function ensureSigningKeys(db: Db): Promise<void> {
  for (const alg of signingAlgorithms) {
    const active = db.prepare('SELECT 1 FROM signing_keys WHERE alg = ? AND retired_at IS NULL').get(alg);
    if (active) continue;
    const { kid, jwk } = await newKey(alg);
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM signing_keys WHERE alg = ? AND retired_at IS NULL').get(alg);
      if (again) return;
      db.prepare('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)').run(kid, alg, JSON.stringify(jwk), nowSeconds());
      bumpKeysVersion(db);
    }).immediate();
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
  return db.transaction(() => {
    const result: RotatedKey[] = [];
    for (const { alg, kid, jwk } of fresh) {
      const old = db.prepare('SELECT kid FROM signing_keys WHERE alg = ? AND retired_at IS NULL').all(alg) as { kid: string }[];
      db.prepare('UPDATE signing_keys SET retired_at = ?, remove_after = ? WHERE alg = ? AND retired_at IS NULL').run(now, now + RETIRED_KEY_PUBLISHED_SECONDS, alg);
      db.prepare('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)').run(kid, alg, JSON.stringify(jwk), now);
      result.push({ alg, kid, retired: old.map((k) => k.kid) });
    }
    db.prepare('DELETE FROM signing_keys WHERE remove_after IS NOT NULL AND remove_after <= ?').run(now);
    bumpKeysVersion(db);
    return result;
  }).immediate();
}

/** The private JWKS for oidc-provider: active keys first (they sign), then retired ones (verify only). */
export function loadJwks(db: Db): { keys: JWK[] } {
  const rows = db.prepare(`SELECT private_jwk FROM signing_keys WHERE remove_after IS NULL OR remove_after > ?
    ORDER BY retired_at IS NOT NULL, created_at DESC`).all(nowSeconds()) as { private_jwk: string }[];
  return { keys: rows.map((r) => JSON.parse(r.private_jwk) as JWK) };
}

export function listSigningKeys(db: Db): { kid: string; alg: string; createdAt: number; retiredAt: number | null; removeAfter: number | null }[] {
  return (db.prepare('SELECT kid, alg, created_at, retired_at, remove_after FROM signing_keys ORDER BY created_at DESC').all() as {
    kid: string; alg: string; created_at: number; retired_at: number | null; remove_after: number | null;
  }[]).map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at, removeAfter: r.remove_after }));
}
