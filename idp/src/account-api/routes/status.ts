/** GET /api/v1/status: the account's security summary (`SecurityStatus`). */
import type { SecurityStatus } from '../../../../shared/account-api.ts';
import { AppError } from '../../errors.ts';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.get(`${api.prefix}/status`, api.authenticate, async function securityStatus(ctx) {
    const status: SecurityStatus | undefined = await ctx.state.services.security.status.securityStatus(ctx.state.apiCaller!.accountId);
    if (!status) throw new AppError('not_found', 'This account no longer exists.');
    ctx.body = status;
  });
}
