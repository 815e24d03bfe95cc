/**
 * GET /api/v1/api-keys: the account's live API keys (`ApiKeySummary[]`), never their secrets. A key that
 * does not see the whole account (read-only, or limited to some databases) sees only itself.
 */
import { ACCOUNT_API_PREFIX, type ApiKeySummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf, reachOf } from './authenticate.ts';

export const listApiKeys = defineRoute(`GET ${ACCOUNT_API_PREFIX}/api-keys`, { guards: [apiCaller('read')], csrf: apiCsrf }, async (ctx) => {
  const { apiKeys } = ctx.state.services;
  const caller = ctx.state.apiCaller!;
  const all = await apiKeys.listLive(caller.accountId);
  const live = reachOf(caller) === 'account' ? all : all.filter((k) => caller.via === 'api_key' && k.id === caller.keyId);
  const keys: ApiKeySummary[] = await Promise.all(live.map((k) => apiKeys.summarize(k)));
  ctx.body = keys;
});
