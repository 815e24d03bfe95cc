/**
 * What every operator command shares: opening the store with its services, and common lookups. The
 * store, services and Redis are imported when a command runs (see the invariant in commands.ts).
 */
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { emailField } from '../fields.ts';
import { configureLog } from '../log.ts';
import type { Services } from '../services.ts';
import type { Store } from '../storage/store.ts';

/** One option of an `idp` subcommand: a flag, or a value with its placeholder in the usage line (`--email E`). */
export type OptionSpec = { help: string; required?: boolean; multiple?: boolean } & ({ type: 'boolean' } | { type?: 'string'; arg: string });

/** One `idp` subcommand: its options and what it runs (the table is commands.ts). */
export interface Command {
  name: string;
  /** The usage line after the name, where the options alone cannot say it (alternatives, a second value); else see usageOf. */
  usage?: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | string[] | undefined>, config: Config): Promise<unknown>;
}

/** The usage line after the command's name: its own, or its options in order (`--a A [--b B ...] [--flag]`). */
export function usageOf(command: Command): string {
  return command.usage ?? Object.entries(command.options ?? {}).map(([name, o]) => {
    const word = o.type === 'boolean' ? `--${name}` : `--${name} ${o.arg}${o.multiple ? ' ...' : ''}`;
    return o.required ? word : `[${word}]`;
  }).join(' ');
}

/** Options several commands take, alike everywhere. */
export const accountOption: OptionSpec = { help: 'email address of the account', required: true, arg: 'EMAIL' };
export const databaseOption: OptionSpec = { help: 'database name', required: true, arg: 'NAME' };

export function issuerOf(config: Config): string {
  return config.issuer ?? `http://localhost:${config.port}`;
}

/** Opens the store, runs `fn` with the services, and always closes what it opened. */
export async function withServices<T>(config: Config, fn: (services: Services) => Promise<T>): Promise<T> {
  configureLog({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel, logFormat: config.logFormat });
  const [{ openConfiguredStore }, { createServices }] = await Promise.all([import('../storage/store.ts'), import('../services.ts')]);
  const db = await openConfiguredStore(config);
  const shortLived = config.redisUrl ? (await import('../storage/redis.ts')).openRedis(config.redisUrl, config.redisPrefix) : undefined;
  const services = createServices(config, db, { issuer: () => issuerOf(config), shortLived });
  try {
    const result = await fn(services);
    // Mail this command queued goes out before it exits, when SMTP answers within a few seconds; what is
    // left stays in the outbox for the IdP's senders (no command waits on a down mail server for long).
    await Promise.race([services.mailer.deliverDue(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    return result;
  } finally {
    await services.mailer.close();
    await shortLived?.close();
    await db.close();
  }
}

/** Opens the store the configuration names (SQLite or PostgreSQL), runs `fn` on it, and closes it. */
export async function withStore<T>(config: Config, fn: (db: Store) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  configureLog({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel, logFormat: config.logFormat });
  const { openConfiguredStore } = await import('../storage/store.ts');
  const db = await openConfiguredStore(config, options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The email address an option (`--owner`, `--login`) holds, normalized, or a usage error. */
export function emailOf(value: unknown, option: string): string {
  const parsed = emailField.safeParse(value);
  if (!parsed.success) throw new AppError('invalid_input', `--${option}: "${String(value)}" is not a valid email address.`);
  return parsed.data;
}

/** The account named by an `--account EMAIL` option, or a clear error. */
export async function requireAccountByEmail(services: Services, value: unknown) {
  const email = emailOf(value, 'account');
  const account = await services.accounts.findByEmail(email);
  if (!account) throw new AppError('not_found', `No account has the email ${email}.`);
  return account;
}

/** The database named by a `--database NAME` option, or a clear error. */
export async function requireDatabase(services: Services, name: unknown) {
  const database = await services.databases.findByName(String(name));
  if (!database) throw new AppError('not_found', `No database is named "${String(name)}". See \`idp database list\`.`);
  return database;
}
