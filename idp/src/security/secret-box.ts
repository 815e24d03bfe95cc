/**
 * Encryption at rest for secrets the server must read back (TOTP secrets cannot be hashed: codes are
 * computed from them). AES-256-GCM under IDP_SECRET_KEY, a key that never lives in the store, so a dump of
 * the database alone does not reveal them.
 *
 * Format: `v1.<nonce>.<ciphertext+tag>` (base64url), a random 96-bit nonce per value. The caller's
 * `context` (e.g. `totp:<account id>`) is the additional authenticated data: a sealed value copied to
 * another account does not open. The version prefix leaves room to rotate keys later (v2 = next key).
 *
 * The key file of the SQLite default ($IDP_DATA_DIR/secret.key) is created once, atomically: written to a
 * temporary file and hard-linked into place without overwriting, then re-read, so processes starting
 * together all end up with the one key that won.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseSecretKey, type Config } from '../config/config.ts';
import type { Db } from '../storage/database.ts';
import { getOrCreateSetting } from '../storage/server-settings.ts';
import { safeEqual } from './tokens.ts';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was sealed under another key or context, or was altered. */
  open(sealed: string, context: string): string;
}

/** True for a value written by `seal` (clear-text TOTP secrets are base32 and never contain a dot). */
export function isSealed(value: string): boolean {
  return value.startsWith(`${VERSION}.`);
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret box key must be 32 bytes');
  return {
    seal(plaintext, context) {
      const nonce = crypto.randomBytes(NONCE_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, context) {
      const [version, nonceText, bodyText, ...rest] = sealed.split('.');
      const nonce = Buffer.from(nonceText ?? '', 'base64url');
      const body = Buffer.from(bodyText ?? '', 'base64url');
      if (version !== VERSION || rest.length || nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
        throw new Error('sealed secret is malformed');
      }
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('sealed secret does not open: IDP_SECRET_KEY differs from the one it was sealed with, or the value was altered');
      }
    },
  };
}

/**
 * The key: IDP_SECRET_KEY, or (SQLite only; config.ts refuses PostgreSQL without it) the key file in the
 * data directory, created on first use.
 */
export function loadSecretKey(config: Pick<Config, 'secretKey' | 'secretKeyFile'>): Buffer {
  if (config.secretKey) return config.secretKey;
  const file = config.secretKeyFile;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
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
  const key = parseSecretKey(fs.readFileSync(file, 'utf8'));
  if (!key) throw new ConfigError(`Invalid configuration:\n  IDP_SECRET_KEY: the key file ${file} does not hold 32 bytes in base64 or base64url`);
  return key;
}

/**
 * Refuses to run with another key than the one this store's secrets were sealed with (a lost key file,
 * an unset IDP_SECRET_KEY, instances with different keys, an import from elsewhere): otherwise every
 * account with 2FA would fail to sign in. The store keeps an HMAC of a constant under the key, never
 * the key; the first start records it.
 */
export async function assertSecretKeyMatches(db: Db, key: Buffer): Promise<void> {
  const check = crypto.createHmac('sha256', key).update('latchkey secret-key check v1').digest('base64url');
  const stored = await getOrCreateSetting(db, 'secret_key_check', () => check);
  if (!safeEqual(stored, check)) {
    throw new ConfigError('Invalid configuration:\n  IDP_SECRET_KEY: this is not the key that encrypted the two-factor secrets in this store. '
      + 'Restore the original key (IDP_SECRET_KEY, or the data directory\'s secret.key) and start again.');
  }
}
