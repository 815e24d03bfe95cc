/**
 * GET /api/v1/devices: the account's signed-in devices, i.e. live IdP sessions (`DeviceSummary[]`),
 * `current` marking the session the caller's access token came from (never set for API keys).
 */
import { ACCOUNT_API_PREFIX, type DeviceSummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf, callerSessionUid } from './authenticate.ts';

export const listDevices = defineRoute({
  method: 'GET',
  path: `${ACCOUNT_API_PREFIX}/devices`,
  guards: [apiCaller('read')],
  csrf: apiCsrf,
  handler: async (ctx) => {
    const devices: DeviceSummary[] = await ctx.state.services.security.sessions.listDevices(ctx.state.apiCaller!.accountId, await callerSessionUid(ctx));
    ctx.body = devices;
  },
});
