/** What every operator command shares: opening the store with its services, and common lookups. */
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { emailField } from '../fields.ts';
import { setLogLevel } from '../log.ts';
import { createServices, type Services } from '../services.ts';
import { openConfiguredStore, type Store } from '../storage/store.ts';
import { openRedis } from '../storage/redis.ts';

/** One `idp` subcommand: its options and what it runs (the table is commands.ts). */
export interface OptionSpec {
  help: string;
  type?: 'string' | 'boolean';
  required?: boolean;
  multiple?: boolean;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | string[] | undefined>, config: Config): Promise<unknown>;
}

export function issuerOf(config: Config): string {
  return config.issuer ?? `http://localhost:${config.port}`;
}

/** Opens the store, runs `fn` with the services, and always closes what it opened. */
export async function withServices<T>(config: Config, fn: (services: Services) => Promise<T>): Promise<T> {
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openConfiguredStore(config);
  const shortLived = config.redisUrl ? openRedis(config.redisUrl, config.redisPrefix) : undefined;
  const services = createServices(config, db, { issuer: () => issuerOf(config), shortLived });
  try {
    return await fn(services);
  } finally {
    services.mailer.close();
    await shortLived?.close();
    await db.close();
  }
}

/** Opens the store the configuration names (SQLite or PostgreSQL), runs `fn` on it, and closes it. */
export async function withStore<T>(config: Config, fn: (db: Store) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openConfiguredStore(config, options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The account named by an `--account EMAIL` option, or a clear error. */
export async function requireAccountByEmail(services: Services, value: unknown, option = '--account') {
  const parsed = emailField.safeParse(value);
  if (!parsed.success) throw new AppError('invalid_input', `${option}: "${String(value)}" is not a valid email address.`);
  const account = await services.accounts.findByEmail(parsed.data);
  if (!account) throw new AppError('not_found', `No account has the email ${parsed.data}.`);
  return account;
}
