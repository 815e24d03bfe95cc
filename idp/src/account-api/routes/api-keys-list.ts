/** GET /api/v1/api-keys: the account's live API keys (`ApiKeySummary[]`), never their secrets. */
import { ACCOUNT_API_PREFIX, type ApiKeySummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf } from './authenticate.ts';

export const listApiKeys = defineRoute({
  method: 'GET',
  path: `${ACCOUNT_API_PREFIX}/api-keys`,
  guards: [apiCaller('read')],
  csrf: apiCsrf,
  handler: async (ctx) => {
    const { apiKeys } = ctx.state.services;
    const live = await apiKeys.listLive(ctx.state.apiCaller!.accountId);
    const keys: ApiKeySummary[] = await Promise.all(live.map((k) => apiKeys.summarize(k)));
    ctx.body = keys;
  },
});
