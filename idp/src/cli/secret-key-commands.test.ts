/**
 * `idp secret-key rotate` on a SQLite store: every kind of sealed value, written under OLD (TOTP secret,
 * signing keys, cookie keys, CSRF secret, a client secret, queued mail), opens under NEW alone afterwards
 * and no longer under OLD; the store's key check names NEW. (The e2e suite runs it beside a live IdP.)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { durableMailQueue } from '../mail/mail-queue.ts';
import { twoFactorRepository } from '../security/two-factor-repository.ts';
import { StoreOidcAdapter } from '../storage/oidc-adapter.ts';
import { assertSecretKeyMatches, secretBox } from '../storage/secret-box.ts';
import { cookieSecrets, csrfSecret, ensureSigningKeys, loadJwks } from '../storage/server-settings.ts';
import { openSqliteStore } from '../storage/store.ts';
import { secretKeyCommands } from './secret-key-commands.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-rotate-unit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const OLD = crypto.randomBytes(32);
const NEW = crypto.randomBytes(32);
const rotate = secretKeyCommands.find((c) => c.name === 'secret-key rotate')!;

describe('idp secret-key rotate', () => {
  it('re-seals every value sealed under OLD so that NEW alone opens it', async () => {
    const env = (keys: Buffer[]) => ({ IDP_DATA_DIR: dir, IDP_LOG_LEVEL: 'silent', IDP_SECRET_KEY: keys.map((k) => k.toString('base64')).join(',') });
    const before = loadConfig(env([OLD]));
    const old = secretBox(OLD);
    let db = openSqliteStore(before.databaseFile);
    await assertSecretKeyMatches(db, [OLD]);
    await ensureSigningKeys(db, old);
    const clear = { cookies: await cookieSecrets(db, old), csrf: await csrfSecret(db, old), jwks: await loadJwks(db, old) };
    await db.run("INSERT INTO accounts (id, email, name, created_at, updated_at) VALUES ('acc_1', 'a@example.com', 'A', 0, 0)");
    await twoFactorRepository(db, old).activateTotp('acc_1', 'JBSWY3DPEHPK3PXP', 1, []);
    await new StoreOidcAdapter('Client', db, old).upsert('db-1', { client_id: 'db-1', client_secret: 'the client secret' }, 0);
    const queue = durableMailQueue({ db, transport: { send: async () => {}, close: () => {} }, box: old, domain: () => 'id.example' });
    await queue.send({ to: 'b@example.com', subject: 'Hello', text: 'a live link' });
    await db.close();

    await expect(rotate.run({}, loadConfig(env([NEW])))).rejects.toThrow(/IDP_SECRET_KEY: this is not the key/);
    const report = await rotate.run({}, loadConfig(env([NEW, OLD]))) as { resealed: Record<string, number>; keyCheck: string };
    expect(report).toMatchObject({ resealed: { twoFactorSecrets: 1, serverSecrets: 5, clientSecrets: 1, queuedMail: 1 }, keyCheck: 'updated' });

    db = openSqliteStore(before.databaseFile);
    try {
      const fresh = secretBox(NEW);
      await assertSecretKeyMatches(db, [NEW]);
      await expect(assertSecretKeyMatches(db, [OLD])).rejects.toThrow(/not the key/);
      expect(await cookieSecrets(db, fresh)).toEqual(clear.cookies);
      expect(await csrfSecret(db, fresh)).toBe(clear.csrf);
      expect(await loadJwks(db, fresh)).toEqual(clear.jwks);
      expect((await twoFactorRepository(db, fresh).findTotp('acc_1', 'totp'))!.secret).toBe('JBSWY3DPEHPK3PXP');
      expect(await new StoreOidcAdapter('Client', db, fresh).find('db-1')).toMatchObject({ client_secret: 'the client secret' });
      const mail = (await db.get<{ id: string; sealed: string }>('SELECT id, sealed FROM mail_outbox'))!;
      expect(JSON.parse(fresh.open(mail.sealed, `mail:${mail.id}`))).toMatchObject({ subject: 'Hello' });
      // Nothing opens with OLD any more.
      await expect(cookieSecrets(db, old)).rejects.toThrow(/does not open/);
      await expect(loadJwks(db, old)).rejects.toThrow(/does not open/);
      await expect(twoFactorRepository(db, old).findTotp('acc_1', 'totp')).rejects.toThrow(/does not open/);
      await expect(new StoreOidcAdapter('Client', db, old).find('db-1')).rejects.toThrow(/does not open/);
      expect(() => old.open(mail.sealed, `mail:${mail.id}`)).toThrow(/does not open/);
    } finally {
      await db.close();
    }
  });
});
