/**
 * POST /api/v1/lockdown `{}`: "this wasn't me" from the extension (`LockdownResponse`). Only the signed-in
 * person (a DPoP access token) may: a leaked API key must not be able to sign its owner out everywhere
 * and lock sign-in. No recent sign-in is asked (securing only takes access away).
 */
import { z } from 'zod';
import { ACCOUNT_API_PREFIX, type LockdownResponse } from '../../../../shared/account-api.ts';
import { AppError } from '../../errors.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute, jsonBody } from '../../http/route.ts';
import { accountWide, apiCaller, apiCsrf } from '../../account-api/routes/authenticate.ts';

export const lockDownFromApi = defineRoute(`POST ${ACCOUNT_API_PREFIX}/lockdown`, { guards: [apiCaller('write'), accountWide, jsonBody(msg('Send the body as JSON: {}.'))], csrf: apiCsrf, input: { body: z.strictObject({}, { error: msg('This request takes an empty JSON object as its body.') }) } }, async (ctx) => {
  const caller = ctx.state.apiCaller!;
  if (caller.via === 'api_key') throw new AppError('forbidden', 'An API key cannot lock the account down. Sign in to your account, or use the link in the sign-in mail.');
  const account = await ctx.state.services.accounts.findById(caller.accountId);
  if (!account) throw new AppError('not_found', 'This account no longer exists.');
  const result: LockdownResponse = await ctx.state.services.security.lockdown.lockDown(account, 'api', ctx.ip);
  ctx.body = result;
});
