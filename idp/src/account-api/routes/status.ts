/** GET /api/v1/status: the account's security summary (`SecurityStatus`); not for keys limited to some databases. */
import { ACCOUNT_API_PREFIX, type SecurityStatus } from '../../../../shared/account-api.ts';
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf, notDatabaseLimited } from './authenticate.ts';

export const securityStatus = defineRoute(`GET ${ACCOUNT_API_PREFIX}/status`, { guards: [apiCaller('read'), notDatabaseLimited], csrf: apiCsrf }, async (ctx) => {
  const status: SecurityStatus | undefined = await ctx.state.services.security.status.securityStatus(ctx.state.apiCaller!.accountId);
  if (!status) throw new AppError('not_found', 'This account no longer exists.');
  ctx.body = status;
});
