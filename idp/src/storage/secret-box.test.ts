import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSecretKeyMatches, isSealed, loadSecretKey, loadSecretKeys, resealed, secretBox, secretKeyCheck } from './secret-box.ts';
import { openTestStore } from '../../../test/helpers/test-store.ts';

const key = crypto.randomBytes(32);
const box = secretBox(key);
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-secret-box-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('secret box', () => {
  it('round-trips under the same key and context, with a fresh nonce each time', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:acc_1');
    expect(sealed).toMatch(/^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed('JBSWY3DPEHPK3PXP')).toBe(false);
    expect(box.open(sealed, 'totp:acc_1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'totp:acc_1')).not.toBe(sealed);
  });

  it('refuses another context, an altered value and another key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:acc_1');
    expect(() => box.open(sealed, 'totp:acc_2')).toThrow(/does not open/);
    const [v, kid, nonce, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open(`${v}.${kid}.${nonce}.${flipped.toString('base64url')}`, 'totp:acc_1')).toThrow(/does not open/);
    expect(() => box.open(`${v}.${kid}.${Buffer.alloc(12).toString('base64url')}.${body}`, 'totp:acc_1')).toThrow(/does not open/);
    expect(() => box.open(`${v}.${kid}.${nonce}`, 'totp:acc_1')).toThrow(/malformed/);
    expect(() => box.open(`v3.${kid}.${nonce}.${body}`, 'totp:acc_1')).toThrow(/malformed/);
    expect(() => box.open(`v2.${nonce}.${body}`, 'totp:acc_1')).toThrow(/malformed/);
    expect(() => secretBox(crypto.randomBytes(32)).open(sealed, 'totp:acc_1')).toThrow(/IDP_SECRET_KEY/);
  });
});

/** A `v1.` value as the box wrote it before key ids (AES-256-GCM, nonce, ciphertext and tag). */
function sealV1(key: Buffer, plaintext: string, context: string): string {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
}

describe('secret box rotation (IDP_SECRET_KEY=NEW,OLD)', () => {
  const oldKey = crypto.randomBytes(32);
  const newKey = crypto.randomBytes(32);

  it('opens v1 values of any listed key, seals under the first, and says what is not under it', () => {
    const legacy = sealV1(oldKey, 'JBSWY3DPEHPK3PXP', 'totp:acc_1');
    expect(isSealed(legacy)).toBe(true);
    const both = secretBox([newKey, oldKey]);
    expect(both.open(legacy, 'totp:acc_1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => both.open(legacy, 'totp:acc_2')).toThrow(/does not open/);
    const underOld = secretBox(oldKey).seal('secret', 'ctx');
    expect(both.open(underOld, 'ctx')).toBe('secret');
    expect(both.sealedUnderCurrentKey(underOld)).toBe(false);
    expect(both.sealedUnderCurrentKey(legacy)).toBe(false);
    expect(both.sealedUnderCurrentKey(both.seal('secret', 'ctx'))).toBe(true);
    expect(() => secretBox(oldKey).open(both.seal('x', 'ctx'), 'ctx')).toThrow(/does not open/);
  });

  it('re-seals for rotation: clear values always, sealed ones only in rotate mode and only when not under the first key', () => {
    const both = secretBox([newKey, oldKey]);
    const underOld = secretBox(oldKey).seal('secret', 'ctx');
    expect(resealed(both, underOld, 'ctx', 'clear')).toBeUndefined();
    const moved = resealed(both, underOld, 'ctx', 'rotate')!;
    expect(secretBox(newKey).open(moved, 'ctx')).toBe('secret');
    expect(() => secretBox(oldKey).open(moved, 'ctx')).toThrow(/does not open/);
    expect(resealed(both, moved, 'ctx', 'rotate')).toBeUndefined();
    expect(secretBox(newKey).open(resealed(both, 'in clear', 'ctx', 'clear')!, 'ctx')).toBe('in clear');
  });

  it('reads NEW,OLD from IDP_SECRET_KEY and from the key file, one key a line', () => {
    expect(loadSecretKeys({ secretKey: newKey, previousSecretKeys: [oldKey], secretKeyFile: '/nonexistent' })).toEqual([newKey, oldKey]);
    const file = path.join(tempDir(), 'secret.key');
    fs.writeFileSync(file, `${newKey.toString('base64url')}\n${oldKey.toString('base64')}\n`, { mode: 0o600 });
    expect(loadSecretKeys({ secretKey: undefined, secretKeyFile: file })).toEqual([newKey, oldKey]);
  });

  it('accepts any listed key against the recorded check', async () => {
    const { store: db, dispose } = await openTestStore();
    try {
      await assertSecretKeyMatches(db, [oldKey]);
      await assertSecretKeyMatches(db, [newKey, oldKey]);
      await expect(assertSecretKeyMatches(db, [newKey])).rejects.toThrow(/IDP_SECRET_KEY: this is not the key/);
      expect((await db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'secret_key_check'"))!.value).toBe(secretKeyCheck(oldKey));
    } finally {
      await dispose();
    }
  });
});

describe('loadSecretKey', () => {
  it('uses IDP_SECRET_KEY when given, else creates the key file once (mode 0600) and keeps it', () => {
    expect(loadSecretKey({ secretKey: key, secretKeyFile: '/nonexistent/secret.key' })).toBe(key);
    const file = path.join(tempDir(), 'data', 'secret.key');
    const first = loadSecretKey({ secretKey: undefined, secretKeyFile: file });
    expect(first).toHaveLength(32);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ secretKey: undefined, secretKeyFile: file })).toEqual(first);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secret.key']);
  });

  it('refuses a key file that does not hold 32 bytes', () => {
    const file = path.join(tempDir(), 'secret.key');
    fs.writeFileSync(file, 'too short\n');
    expect(() => loadSecretKey({ secretKey: undefined, secretKeyFile: file })).toThrow(/IDP_SECRET_KEY: the key file .* does not hold 32 bytes/);
  });

  it('gives processes that start together the same key', async () => {
    const file = path.join(tempDir(), 'secret.key');
    const script = `import { loadSecretKey } from ${JSON.stringify(path.resolve(import.meta.dirname, 'secret-box.ts'))};
      process.stdout.write(loadSecretKey({ secretKey: undefined, secretKeyFile: ${JSON.stringify(file)} }).toString('hex'));`;
    const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const keys = (await Promise.all(Array.from({ length: 6 }, run))).map((r) => r.stdout);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url').toString('hex'));
  });
});

describe('assertSecretKeyMatches', () => {
  it('records the key on first start and refuses another key afterwards', async () => {
    const { store: db, dispose } = await openTestStore();
    try {
      const key = crypto.randomBytes(32);
      await assertSecretKeyMatches(db, key);
      await assertSecretKeyMatches(db, Buffer.from(key));
      await expect(assertSecretKeyMatches(db, crypto.randomBytes(32))).rejects.toThrow(/IDP_SECRET_KEY: this is not the key/);
      const stored = await db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'secret_key_check'");
      expect(stored!.value).not.toContain(key.toString('base64url'));
    } finally {
      await dispose();
    }
  });
});
