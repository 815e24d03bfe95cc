/**
 * GET /api/v1/devices: the account's signed-in devices, i.e. live IdP sessions (`DeviceSummary[]`),
 * `current` marking the session the caller's access token came from (never set for API keys).
 */
import type { DeviceSummary } from '../../../../shared/account-api.ts';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';
import { callerSessionUid } from '../authenticate.ts';

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.get(`${api.prefix}/devices`, api.authenticate, async function listDevices(ctx) {
    const devices: DeviceSummary[] = await ctx.state.services.security.sessions.listDevices(ctx.state.apiCaller!.accountId, await callerSessionUid(ctx));
    ctx.body = devices;
  });
}
