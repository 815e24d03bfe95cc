/**
 * POST /api/v1/devices/logout-others `{}`: ends every IdP session of the account except the one the
 * caller's access token came from, revokes the grants only those sessions held (the caller's own grant
 * stays), and sends back-channel logout to their relying parties (`LogoutOthersResponse`).
 *
 * Sensitive: needs a sign-in within 10 minutes (RFC 9470 step-up). Only the signed-in person (a DPoP
 * access token) may do it: an API key has no session of its own to keep, and a key limited to some
 * databases must not be able to sign its owner out everywhere.
 */
import { z } from 'zod';
import { ACCOUNT_API_PREFIX, type LogoutOthersResponse } from '../../../../shared/account-api.ts';
import { AppError } from '../../errors.ts';
import { defineRoute, jsonBody } from '../../http/route.ts';
import { accountWide, apiCaller, apiCsrf, callerSessionUid, recentUserAuth } from './authenticate.ts';

export const logoutOtherDevices = defineRoute(`POST ${ACCOUNT_API_PREFIX}/devices/logout-others`, { guards: [apiCaller('write'), accountWide, jsonBody('Send the body as JSON: {}.'), recentUserAuth], csrf: apiCsrf, input: { body: z.strictObject({}, { error: 'This request takes an empty JSON object as its body.' }) } }, async (ctx) => {
  const caller = ctx.state.apiCaller!;
  if (caller.via === 'api_key') throw new AppError('forbidden', 'An API key cannot log out devices. Sign in to your account to do it.');
  const currentUid = await callerSessionUid(ctx);
  if (!currentUid) throw new AppError('conflict', 'The session you signed in with has ended. Sign in again, then log out the other devices.');
  const { sessions } = await ctx.state.services.security.sessions.endOtherSessions(caller.accountId, currentUid);
  const result: LogoutOthersResponse = { loggedOut: sessions };
  ctx.body = result;
});
