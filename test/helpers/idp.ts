/**
 * Starts the real IdP in this process on a random port with a fresh temporary data directory, and
 * gives tests direct access to its services for seeding (accounts) instead of clicking through pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../idp/src/config/config.ts';
import { startIdp, type RunningIdp } from '../../idp/src/main.ts';
import type { Mailer, MailMessage } from '../../idp/src/mail/mailer.ts';
import { clearRedisPrefix, createTestDatabase, testOnPostgres, testRedisUrl, type TestDatabase } from './postgres.ts';
import crypto from 'node:crypto';

export interface TestIdp extends RunningIdp {
  dataDir: string;
  config: Config;
  /** Every mail the IdP sent, newest last. */
  mails: MailMessage[];
  lastMailTo(address: string): MailMessage | undefined;
  createAccount(email: string, password: string, name?: string): Promise<{ id: string; email: string }>;
}

/** Data directories of running test IdPs and the store settings each uses, for `runIdp`. */
const storeOfDataDir = new Map<string, Record<string, string>>();

/** The store settings of the test IdP that owns `dataDir` (its PostgreSQL, secret key and Redis when it has them). */
export function storeEnvOf(dataDir: string | undefined): Record<string, string> {
  return (dataDir && storeOfDataDir.get(dataDir)) || {};
}

export function tempDir(prefix = 'latchkey-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * In the `postgres` vitest project the IdP stores everything in a fresh PostgreSQL database (dropped on
 * close); otherwise in a SQLite file in its temporary data directory. `{ store: 'sqlite' }` forces SQLite.
 * Mail is captured in `mails` as it is sent; `{ mail: 'outbox' }` keeps the production path instead
 * (the durable outbox and its background sender, to IDP_SMTP_URL or .eml files) and `mails` stays empty.
 */
export async function startTestIdp(env: Record<string, string> = {}, options: { store?: 'sqlite' | 'default'; mail?: 'captured' | 'outbox' } = {}): Promise<TestIdp> {
  const dataDir = tempDir();
  let database: TestDatabase | undefined;
  if (testOnPostgres && options.store !== 'sqlite' && !env.IDP_DATABASE_URL) database = await createTestDatabase();
  // Redis beside PostgreSQL, under a prefix of its own (its keys are removed on close).
  // PostgreSQL needs IDP_SECRET_KEY (SQLite generates $IDP_DATA_DIR/secret.key).
  const storeEnv: Record<string, string> = database ? { IDP_DATABASE_URL: database.url, IDP_SECRET_KEY: crypto.randomBytes(32).toString('base64') } : {};
  if (database && testRedisUrl) Object.assign(storeEnv, { IDP_REDIS_URL: testRedisUrl, IDP_REDIS_PREFIX: `lktest:${crypto.randomBytes(6).toString('hex')}:` });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_LOG_LEVEL: 'silent', ...storeEnv, ...env });
  const mails: MailMessage[] = [];
  const mailer: Mailer = { send: async (m) => void mails.push(m), close: () => {} };
  let idp: RunningIdp;
  try {
    idp = await startIdp(config, { mailer: options.mail === 'outbox' ? undefined : mailer, quiet: true });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  storeOfDataDir.set(dataDir, {
    ...(config.databaseUrl ? { IDP_DATABASE_URL: config.databaseUrl } : {}),
    ...(config.secretKey ? { IDP_SECRET_KEY: config.secretKey.toString('base64') } : {}),
    ...(config.redisUrl ? { IDP_REDIS_URL: config.redisUrl, IDP_REDIS_PREFIX: config.redisPrefix } : {}),
  });
  return {
    ...idp,
    dataDir,
    config,
    mails,
    lastMailTo: (address) => mails.filter((m) => m.to === address).at(-1),
    async createAccount(email, password, name = 'Test Person') {
      const account = await idp.services.accounts.signUp({ email, password, name }, { sendVerification: false, verified: true });
      return { id: account.id, email: account.email };
    },
    async close() {
      await idp.close();
      storeOfDataDir.delete(dataDir);
      await database?.drop();
      if (storeEnv.IDP_REDIS_URL) await clearRedisPrefix(storeEnv.IDP_REDIS_URL, storeEnv.IDP_REDIS_PREFIX!);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Pulls the first link to `pathPrefix` out of a mail body. */
export function linkFrom(mail: MailMessage | undefined, pathPrefix: string): URL {
  const match = mail?.text.match(new RegExp(`https?://\\S+${pathPrefix.replace(/[/?]/g, '\\$&')}\\S*`));
  if (!match) throw new Error(`no ${pathPrefix} link in mail: ${mail?.text}`);
  return new URL(match[0]);
}
