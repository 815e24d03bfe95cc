/**
 * DELETE /api/v1/api-keys/:id: revokes the key at once (204). An API key may revoke only itself.
 * A recent sign-in, as the portal's revoke asks: revoking another key stops the scripts that use it,
 * so a stolen extension token must not be able to do that hours later (an API key passes: it can only
 * revoke itself).
 */
import { z } from 'zod';
import { ACCOUNT_API_PREFIX } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { keyIdField } from '../../apikeys/schemas.ts';
import { apiCaller, apiCsrf, assertMayManageKey, recentUserAuth } from './authenticate.ts';

export const revokeApiKey = defineRoute(`DELETE ${ACCOUNT_API_PREFIX}/api-keys/:id`, { guards: [apiCaller('write'), recentUserAuth], csrf: apiCsrf, input: { params: z.object({ id: keyIdField }) } }, async (ctx, { params }) => {
  assertMayManageKey(ctx, params.id);
  const caller = ctx.state.apiCaller!;
  await ctx.state.services.apiKeys.revoke(caller.accountId, params.id, { actor: caller.via === 'api_key' ? `api_key:${caller.keyId}` : caller.accountId, ip: ctx.ip });
  ctx.status = 204;
});
