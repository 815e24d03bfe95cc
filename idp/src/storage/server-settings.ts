/**
 * Server secrets and signing keys, kept in the shared store so every process (and every instance on a
 * shared database) uses the same ones, generated once on first start.
 *
 * Invariant: the private signing keys (`signing_keys.private_jwk`, context `signing-key:<kid>`), the
 * cookie keys and the CSRF secret (`server_settings`, context `setting:<name>`) are stored sealed under
 * IDP_SECRET_KEY (secret-box.ts): a copy of the store signs no token and forges no cookie. kid, alg and
 * dates stay readable for `idp keys list`. Values from before sealing are sealed at start-up
 * (`sealServerSecrets`), and read in clear until then.
 */
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from './database.ts';
import { nowSeconds } from '../clock.ts';
import { isSealed, resealed, type SecretBox } from './secret-box.ts';

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

/** The server settings that hold secrets, sealed. */
export const SEALED_SETTINGS = ['cookie_secrets', 'csrf_secret'] as const;
const settingContext = (name: string) => `setting:${name}`;
const signingKeyContext = (kid: string) => `signing-key:${kid}`;

/** A secret setting, created sealed on first use and opened on read. */
export async function sealedSetting(db: Db, box: SecretBox, name: (typeof SEALED_SETTINGS)[number], create: () => string): Promise<string> {
  const stored = await getOrCreateSetting(db, name, () => box.seal(create(), settingContext(name)));
  return isSealed(stored) ? box.open(stored, settingContext(name)) : stored;
}

export async function cookieSecrets(db: Db, box: SecretBox): Promise<string[]> {
  return JSON.parse(await sealedSetting(db, box, 'cookie_secrets', () => JSON.stringify([crypto.randomBytes(32).toString('base64url')]))) as string[];
}

export async function csrfSecret(db: Db, box: SecretBox): Promise<string> {
  // 256 bits from the CSPRNG (a store made before kept its value, two random UUIDs: about 244 bits).
  return sealedSetting(db, box, 'csrf_secret', () => crypto.randomBytes(32).toString('base64url'));
}

/**
 * Seals the signing keys and secret settings still in clear (`clear`), or re-seals every one not under
 * the first key (`rotate`). Each update is conditional on the value read, so processes doing it at once
 * do no harm. Returns how many values were written.
 */
export async function sealServerSecrets(db: Db, box: SecretBox, mode: 'clear' | 'rotate'): Promise<number> {
  let written = 0;
  for (const row of await db.all<{ name: string; value: string }>(`SELECT name, value FROM server_settings WHERE name IN (${SEALED_SETTINGS.map(() => '?').join(', ')})`, [...SEALED_SETTINGS])) {
    const next = resealed(box, row.value, settingContext(row.name), mode);
    if (next !== undefined) written += (await db.run('UPDATE server_settings SET value = ? WHERE name = ? AND value = ?', [next, row.name, row.value])).changes;
  }
  for (const row of await db.all<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM signing_keys')) {
    const next = resealed(box, row.private_jwk, signingKeyContext(row.kid), mode);
    if (next !== undefined) written += (await db.run('UPDATE signing_keys SET private_jwk = ? WHERE kid = ? AND private_jwk = ?', [next, row.kid, row.private_jwk])).changes;
  }
  return written;
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
export async function ensureSigningKeys(db: Db, box: SecretBox): Promise<void> {
  for (const alg of signingAlgorithms) {
    if (await db.get(activeKey, [alg])) continue;
    const { kid, jwk } = await newKey(alg);
    await db.transaction(async () => {
      if (await db.get(activeKey, [alg])) return;
      await db.run('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)', [kid, alg, box.seal(JSON.stringify(jwk), signingKeyContext(kid)), nowSeconds()]);
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
export async function rotateSigningKeys(db: Db, box: SecretBox): Promise<RotatedKey[]> {
  const fresh = await Promise.all(signingAlgorithms.map(async (alg) => ({ alg, ...(await newKey(alg)) })));
  const now = nowSeconds();
  return db.transaction(async () => {
    const result: RotatedKey[] = [];
    for (const { alg, kid, jwk } of fresh) {
      const old = await db.all<{ kid: string }>('SELECT kid FROM signing_keys WHERE alg = ? AND retired_at IS NULL', [alg]);
      await db.run('UPDATE signing_keys SET retired_at = ?, remove_after = ? WHERE alg = ? AND retired_at IS NULL', [now, now + RETIRED_KEY_PUBLISHED_SECONDS, alg]);
      await db.run('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)', [kid, alg, box.seal(JSON.stringify(jwk), signingKeyContext(kid)), now]);
      result.push({ alg, kid, retired: old.map((k) => k.kid) });
    }
    await db.run('DELETE FROM signing_keys WHERE remove_after IS NOT NULL AND remove_after <= ?', [now]);
    await bumpKeysVersion(db);
    return result;
  });
}

/** The private JWKS for oidc-provider: active keys first (they sign), then retired ones (verify only). */
export async function loadJwks(db: Db, box: SecretBox): Promise<{ keys: JWK[] }> {
  const rows = await db.all<{ kid: string; private_jwk: string }>(`SELECT kid, private_jwk FROM signing_keys WHERE remove_after IS NULL OR remove_after > ?
    ORDER BY retired_at IS NOT NULL, created_at DESC`, [nowSeconds()]);
  return { keys: rows.map((r) => JSON.parse(isSealed(r.private_jwk) ? box.open(r.private_jwk, signingKeyContext(r.kid)) : r.private_jwk) as JWK) };
}

export async function listSigningKeys(db: Db): Promise<{ kid: string; alg: string; createdAt: number; retiredAt: number | null; removeAfter: number | null }[]> {
  return (await db.all<{
    kid: string; alg: string; created_at: number; retired_at: number | null; remove_after: number | null;
  }>('SELECT kid, alg, created_at, retired_at, remove_after FROM signing_keys ORDER BY created_at DESC'))
    .map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at, removeAfter: r.remove_after }));
}
