/**
 * Encryption at rest for secrets the server must read back: TOTP secrets (codes are computed from them),
 * private signing keys, cookie keys, the CSRF secret, database client secrets (oidc-provider compares
 * them and uses them as HMAC keys), queued mail. AES-256-GCM under IDP_SECRET_KEY, a key that never lives
 * in the store, so a copy of the database alone reveals none of them.
 *
 * Formats (base64url parts, a random 96-bit nonce per value):
 *   `v2.<key id>.<nonce>.<ciphertext+tag>`  written now; the key id (8 characters of an HMAC under the
 *                                          key, never the key) names the key that sealed it
 *   `v1.<nonce>.<ciphertext+tag>`           written before key rotation existed; opened by trying each key
 * The caller's `context` (e.g. `totp:<account id>`) is the additional authenticated data: a sealed value
 * copied to another row does not open.
 *
 * Rotation (`IDP_SECRET_KEY=NEW,OLD`): the first key seals, every listed key opens; `idp secret-key
 * rotate` re-seals what `sealedUnderCurrentKey` says is not under the first key (cli/secret-key-command.ts).
 *
 * The key file of the SQLite default ($IDP_DATA_DIR/secret.key) is created once, atomically: written to a
 * temporary file and hard-linked into place without overwriting, then re-read, so processes starting
 * together all end up with the one key that won. It may hold several keys, one a line (first seals).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseSecretKeys, type Config } from '../config/config.ts';
import type { Db } from './database.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** Seals under the first key. */
  seal(plaintext: string, context: string): string;
  /** Throws when the value was sealed under no listed key or another context, or was altered. */
  open(sealed: string, context: string): string;
  /** True when `sealed` is a v2 value of the first key (nothing for `rotate` to do). */
  sealedUnderCurrentKey(sealed: string): boolean;
}

/** True for a value written by `seal` (clear TOTP secrets, JSON and base64url keys never start so). */
export function isSealed(value: string): boolean {
  return value.startsWith('v2.') || value.startsWith('v1.');
}

function keyId(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('latchkey secret-key id').digest('base64url').slice(0, 8);
}

function decrypt(key: Buffer, nonce: Buffer, body: Buffer, context: string): string {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}

const doesNotOpen = 'sealed secret does not open: IDP_SECRET_KEY differs from the one it was sealed with, or the value was altered';

/** `keys`: the sealing key first, then the ones that only open (rotation). */
export function secretBox(keys: Buffer | readonly Buffer[]): SecretBox {
  const list = Array.isArray(keys) ? [...keys] : [keys as Buffer];
  if (list.length === 0 || list.some((key) => key.length !== 32)) throw new Error('secret box keys must be 32 bytes');
  const current = list[0]!;
  const currentId = keyId(current);
  const byId = new Map(list.map((key) => [keyId(key), key] as const));
  return {
    seal(plaintext, context) {
      const nonce = crypto.randomBytes(NONCE_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', current, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v2.${currentId}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      const [version] = parts;
      const [id, nonceText, bodyText] = version === 'v2' && parts.length === 4 ? parts.slice(1)
        : version === 'v1' && parts.length === 3 ? [undefined, ...parts.slice(1)] : [];
      const nonce = Buffer.from(nonceText ?? '', 'base64url');
      const body = Buffer.from(bodyText ?? '', 'base64url');
      if (nonceText === undefined || nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new Error('sealed secret is malformed');
      // v2 names its key; v1 predates key ids, so every listed key is tried.
      const candidates = id === undefined ? list : [byId.get(id)].filter((key) => key !== undefined);
      for (const key of candidates) {
        try {
          return decrypt(key, nonce, body, context);
        } catch {
          // the next key, if any
        }
      }
      throw new Error(doesNotOpen);
    },
    sealedUnderCurrentKey(sealed) {
      return sealed.startsWith(`v2.${currentId}.`);
    },
  };
}

/**
 * The keys, sealing one first: IDP_SECRET_KEY (with its NEW,OLD list), or (SQLite only; config.ts refuses
 * PostgreSQL without it) the key file in the data directory, created on first use.
 */
export function loadSecretKeys(config: Pick<Config, 'secretKey' | 'secretKeyFile'> & { previousSecretKeys?: Buffer[] }): Buffer[] {
  if (config.secretKey) return [config.secretKey, ...(config.previousSecretKeys ?? [])];
  const file = config.secretKeyFile;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temp, file); // fails with EEXIST when another process won: its key is the one
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  const keys = parseSecretKeys(fs.readFileSync(file, 'utf8'));
  if (!keys) throw new ConfigError(`Invalid configuration:\n  IDP_SECRET_KEY: the key file ${file} does not hold 32 bytes in base64 or base64url (one key a line)`);
  return keys;
}

/** The sealing key (see `loadSecretKeys`). */
export function loadSecretKey(config: Pick<Config, 'secretKey' | 'secretKeyFile'> & { previousSecretKeys?: Buffer[] }): Buffer {
  return loadSecretKeys(config)[0]!;
}

/** The box over the configured keys. */
export function loadSecretBox(config: Pick<Config, 'secretKey' | 'secretKeyFile'> & { previousSecretKeys?: Buffer[] }): SecretBox {
  return secretBox(loadSecretKeys(config));
}

/** What `secret_key_check` holds for a key: an HMAC of a constant, never the key. */
export function secretKeyCheck(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('latchkey secret-key check v1').digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Refuses to run with other keys than the one this store's secrets were sealed with (a lost key file,
 * an unset IDP_SECRET_KEY, instances with different keys, an import from elsewhere): otherwise every
 * account with 2FA would fail to sign in and no signing key would load. The store keeps an HMAC of a
 * constant under the key, never the key; the first start records the first key's. While rotating
 * (NEW,OLD) any listed key may match; `idp secret-key rotate` records NEW's once everything is re-sealed.
 */
export async function assertSecretKeyMatches(db: Db, keys: Buffer | readonly Buffer[]): Promise<void> {
  const list = Array.isArray(keys) ? keys : [keys as Buffer];
  // server-settings.ts seals with this box, so the row is read here rather than through it (no cycle).
  await db.run("INSERT INTO server_settings (name, value) VALUES ('secret_key_check', ?) ON CONFLICT (name) DO NOTHING", [secretKeyCheck(list[0]!)]);
  const stored = (await db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'secret_key_check'"))!.value;
  if (!list.some((key) => safeEqual(stored, secretKeyCheck(key)))) {
    throw new ConfigError('Invalid configuration:\n  IDP_SECRET_KEY: this is not the key that encrypted the secrets in this store (two-factor secrets, signing and cookie keys). '
      + 'Restore the original key (IDP_SECRET_KEY, or the data directory\'s secret.key) and start again.');
  }
}

/**
 * What a stored value becomes: `clear` seals a value still in clear (start-up, after an upgrade);
 * `rotate` also re-seals one sealed under an older key. Undefined when nothing is to be done.
 */
export function resealed(box: SecretBox, value: string, context: string, mode: 'clear' | 'rotate'): string | undefined {
  if (!isSealed(value)) return box.seal(value, context);
  if (mode === 'clear' || box.sealedUnderCurrentKey(value)) return undefined;
  return box.seal(box.open(value, context), context);
}
