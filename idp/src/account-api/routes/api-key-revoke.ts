/** DELETE /api/v1/api-keys/:id: revokes the key at once (204). An API key may revoke only itself. */
import { z } from 'zod';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';
import { parseInput } from '../../http/validate.ts';
import { keyIdField } from '../../apikeys/schemas.ts';
import { assertMayManageKey } from '../authenticate.ts';

const params = z.object({ id: keyIdField });

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.delete(`${api.prefix}/api-keys/:id`, api.authenticate, async function revokeApiKey(ctx) {
    const { id } = parseInput(params, ctx.params);
    assertMayManageKey(ctx, id);
    const caller = ctx.state.apiCaller!;
    await ctx.state.services.apiKeys.revoke(caller.accountId, id, { actor: caller.via === 'api_key' ? `api_key:${caller.keyId}` : caller.accountId, ip: ctx.ip });
    ctx.status = 204;
  });
}
