/**
 * Operator commands for API keys (part of the `idp` command table): list an account's keys (never a
 * secret, never a hash) and revoke one, e.g. after a secret scanner reported a leaked key.
 */
import type { Config } from '../config/config.ts';
import { emailField } from '../http/fields.ts';
import { setLogLevel } from '../log.ts';
import { createServices, type Services } from '../services.ts';
import { openConfiguredStore } from '../storage/store.ts';
import { AppError } from '../errors.ts';
import type { Command } from './commands.ts';

async function withServices<T>(config: Config, fn: (services: Services) => Promise<T>): Promise<T> {
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openConfiguredStore(config);
  const services = createServices(config, db, { issuer: () => config.issuer ?? `http://localhost:${config.port}` });
  try {
    return await fn(services);
  } finally {
    services.mailer.close();
    await db.close();
  }
}

async function requireAccount(services: Services, value: unknown) {
  const parsed = emailField.safeParse(value);
  if (!parsed.success) throw new AppError('invalid_input', `--account: "${String(value)}" is not a valid email address.`);
  const account = await services.accounts.findByEmail(parsed.data);
  if (!account) throw new AppError('not_found', `No account has the email ${parsed.data}.`);
  return account;
}

export const apiKeyCommands: Command[] = [
  {
    name: 'apikey list',
    usage: '--account EMAIL',
    summary: "List an account's live API keys (visible ids, scope, expiry, last use); never secrets.",
    options: { account: { help: 'email address of the account', required: true } },
    run: (values, config) =>
      withServices(config, async (services) => {
        const account = await requireAccount(services, values.account);
        return {
          account: account.email,
          developerMode: await services.apiKeys.isDeveloperMode(account.id),
          keys: await Promise.all((await services.apiKeys.listLive(account.id)).map((k) => services.apiKeys.summarize(k))),
        };
      }),
  },
  {
    name: 'apikey revoke',
    usage: '--account EMAIL --key VISIBLE_ID',
    summary: 'Revoke one API key of an account at once (recorded in its security log).',
    options: {
      account: { help: 'email address of the account', required: true },
      key: { help: 'the visible id (lk_…) or id (key_…) of the key', required: true },
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const account = await requireAccount(services, values.account);
        const wanted = String(values.key);
        const key = (await services.apiKeys.listLive(account.id)).find((k) => k.visibleId === wanted || k.id === wanted);
        if (!key) throw new AppError('not_found', `${account.email} has no live API key ${wanted}. See \`idp apikey list --account ${account.email}\`.`);
        await services.apiKeys.revoke(account.id, key.id, { actor: 'operator' });
        return { revoked: key.visibleId, account: account.email };
      }),
  },
];
