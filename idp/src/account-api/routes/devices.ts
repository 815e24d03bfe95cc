/**
 * GET /api/v1/devices: the account's signed-in devices, i.e. live IdP sessions (`DeviceSummary[]`),
 * `current` marking the session the caller's access token came from (never set for API keys). Only for
 * callers that see the whole account (`accountWide`): the list holds IP addresses.
 */
import { ACCOUNT_API_PREFIX, type DeviceSummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { accountWide, apiCaller, apiCsrf, callerSessionUid } from './authenticate.ts';

export const listDevices = defineRoute(`GET ${ACCOUNT_API_PREFIX}/devices`, { guards: [apiCaller('read'), accountWide], csrf: apiCsrf }, async (ctx) => {
  const devices: DeviceSummary[] = await ctx.state.services.security.sessions.listDevices(ctx.state.apiCaller!.accountId, await callerSessionUid(ctx));
  ctx.body = devices;
});
