/**
 * Operator commands for API keys (part of the `idp` command table): list an account's keys (never a
 * secret, never a hash) and revoke one, e.g. after a secret scanner reported a leaked key.
 */
import { AppError } from '../errors.ts';
import { accountOption, requireAccountByEmail, withServices, type Command } from './context.ts';
import { reasonOption, supportReason } from './support-reason.ts';

export const apiKeyCommands: Command[] = [
  {
    name: 'apikey list',
    summary: "List an account's live API keys (visible ids, scope, expiry, last use); never secrets.",
    options: { account: accountOption },
    run: (values, config) =>
      withServices(config, async (services) => {
        const account = await requireAccountByEmail(services, values.account);
        return {
          account: account.email,
          developerMode: await services.apiKeys.isDeveloperMode(account.id),
          keys: await Promise.all((await services.apiKeys.listLive(account.id)).map(async (k) => await services.apiKeys.summarize(k))),
        };
      }),
  },
  {
    name: 'apikey revoke',
    summary: 'Revoke one API key of an account at once (shown in its security activity with the reason, and mailed to it).',
    options: {
      account: accountOption,
      key: { help: 'the visible id (lk_…) or id (key_…) of the key', required: true, arg: 'VISIBLE_ID' },
      reason: reasonOption,
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const account = await requireAccountByEmail(services, values.account);
        const wanted = String(values.key);
        const key = (await services.apiKeys.listLive(account.id)).find((k) => k.visibleId === wanted || k.id === wanted);
        if (!key) throw new AppError('not_found', `${account.email} has no live API key ${wanted}. See \`idp apikey list --account ${account.email}\`.`);
        const reason = supportReason(values.reason);
        await services.apiKeys.revoke(account.id, key.id, { actor: 'operator', reason });
        await services.activity.tellAboutSupportAction(account, `revoked your API key "${key.description}" (${key.visibleId})`, reason);
        return { revoked: key.visibleId, account: account.email };
      }),
  },
];
