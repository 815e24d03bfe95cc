/**
 * DELETE /api/v1/api-keys/:id: revokes the key at once (204). An API key may revoke only itself.
 * No recent sign-in: revoking only takes access away (the route-table test lists this exemption).
 */
import { z } from 'zod';
import { ACCOUNT_API_PREFIX } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { keyIdField } from '../../apikeys/schemas.ts';
import { apiCaller, apiCsrf, assertMayManageKey } from './authenticate.ts';

export const revokeApiKey = defineRoute({
  method: 'DELETE',
  path: `${ACCOUNT_API_PREFIX}/api-keys/:id`,
  guards: [apiCaller('write')],
  csrf: apiCsrf,
  input: { params: z.object({ id: keyIdField }) },
  handler: async (ctx, { params }) => {
    assertMayManageKey(ctx, params.id);
    const caller = ctx.state.apiCaller!;
    await ctx.state.services.apiKeys.revoke(caller.accountId, params.id, { actor: caller.via === 'api_key' ? `api_key:${caller.keyId}` : caller.accountId, ip: ctx.ip });
    ctx.status = 204;
  },
});
