/** GET /api/v1/api-keys: the account's live API keys (`ApiKeySummary[]`), never their secrets. */
import type { ApiKeySummary } from '../../../../shared/account-api.ts';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.get(`${api.prefix}/api-keys`, api.authenticate, async function listApiKeys(ctx) {
    const { apiKeys } = ctx.state.services;
    const live = await apiKeys.listLive(ctx.state.apiCaller!.accountId);
    const keys: ApiKeySummary[] = await Promise.all(live.map((k) => apiKeys.summarize(k)));
    ctx.body = keys;
  });
}
