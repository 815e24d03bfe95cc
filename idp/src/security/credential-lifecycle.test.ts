/**
 * The credential lifecycle through the composition root on a real store: a reset by itself (no route
 * help) ends every session, forgets trusted devices and tells the holder; a change keeps the caller's
 * session and ends the others.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import type { MailMessage } from '../mail/mailer.ts';
import { createServices, type Services } from '../services.ts';
import { nowSeconds } from '../clock.ts';
import { StoreOidcAdapter } from '../storage/oidc-adapter.ts';
import { openSqliteStore, type SqliteStore } from '../storage/store.ts';

let dir: string;
let db: SqliteStore;
let services: Services;
const mails: MailMessage[] = [];
const password = 'a long passphrase 1';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cred-'));
  const config = loadConfig({ IDP_DATA_DIR: dir, IDP_LOG_LEVEL: 'silent' });
  db = openSqliteStore(config.databaseFile);
  services = createServices(config, db, { issuer: () => 'https://id.example', mailer: { send: async (m) => void mails.push(m), close: () => {} } });
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function accountWithSessions(email: string, uids: string[]) {
  const account = await services.accounts.signUp({ email, password, name: 'Holder' }, { sendVerification: false, verified: true });
  const sessions = new StoreOidcAdapter('Session', db, services.box);
  for (const uid of uids) await sessions.upsert(`sess_${uid}`, { uid, accountId: account.id, loginTs: nowSeconds(), authorizations: {}, exp: nowSeconds() + 3600 } as never, 3600);
  const trusted = await services.security.twoFactor.trustDevice(account.id, 'unit test browser');
  return { account, trusted: trusted.token };
}

const lastMailTo = (email: string) => mails.filter((m) => m.to === email).at(-1)!;

describe('credential lifecycle', () => {
  it('a reset sets the password, ends every session, forgets trusted devices and tells the holder', async () => {
    const email = 'reset-unit@example.com';
    const { account, trusted } = await accountWithSessions(email, ['u1', 'u2']);
    expect(await services.security.sessions.countSessions(account.id)).toBe(2);

    await services.accounts.requestPasswordReset(email, '192.0.2.1');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the link mail is not awaited
    const link = lastMailTo(email);
    expect(link.subject).toBe('Reset your password');
    const token = /\/password\/reset\?token=([\w-]+)/.exec(link.text)![1]!;

    await services.security.credentials.resetPassword(token, 'the brand new passphrase');
    expect(await services.security.sessions.countSessions(account.id)).toBe(0);
    expect(await services.security.twoFactor.isTrustedDevice(account.id, trusted)).toBe(false);
    expect(lastMailTo(email)).toMatchObject({ subject: 'Your password was changed' });
    expect(lastMailTo(email).text).toContain('was just reset. Every device was signed out.');
    await expect(services.accounts.authenticate(email, password, { ip: '192.0.2.1' })).rejects.toThrow('Incorrect email or password.');
    expect((await services.accounts.authenticate(email, 'the brand new passphrase', { ip: '192.0.2.1' })).id).toBe(account.id);
    // The link is single use.
    await expect(services.accounts.resetPassword(token, 'yet another passphrase')).rejects.toThrow('invalid or has expired');
  });

  it('a change needs the current password, keeps the caller signed in and ends the other sessions', async () => {
    const email = 'change-unit@example.com';
    const { account, trusted } = await accountWithSessions(email, ['mine', 'other']);
    await expect(services.security.passwords.changePassword(account, { current: 'wrong guess here', next: 'the next passphrase' }, { sessionUid: 'mine' }))
      .rejects.toThrow('Your current password is not correct.');
    expect(await services.security.sessions.countSessions(account.id)).toBe(2);

    const ended = await services.security.passwords.changePassword(account, { current: password, next: 'the next passphrase' }, { sessionUid: 'mine', ip: '192.0.2.7' });
    expect(ended.sessions).toBe(1);
    expect(await services.security.sessions.hasSession(account.id, 'mine')).toBe(true);
    expect(await services.security.sessions.hasSession(account.id, 'other')).toBe(false);
    expect(await services.security.twoFactor.isTrustedDevice(account.id, trusted)).toBe(false);
    expect(lastMailTo(email).subject).toBe('Your password was changed');
    expect(lastMailTo(email).text).toContain('IP address 192.0.2.7');
  });
});
