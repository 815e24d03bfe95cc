/**
 * GET /api/v1/activity?cursor=&limit=: the account's security activity (`ActivityPage`), for the
 * extension and scripts; any valid credential may read it (a read-only API key too), only its own.
 * `kind` is for programs; `detail` and `device` are for people (the extension shows them), in the
 * request's language (Accept-Language, English by default).
 */
import { ACCOUNT_API_PREFIX, type ActivityPage } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { accountWide, apiCaller, apiCsrf } from '../../account-api/routes/authenticate.ts';
import { activityQuery } from '../schemas.ts';

export const listActivity = defineRoute(`GET ${ACCOUNT_API_PREFIX}/activity`, { guards: [apiCaller('read'), accountWide], csrf: apiCsrf, input: { query: activityQuery } }, async (ctx, { query }) => {
  const page: ActivityPage = await ctx.state.services.activity.page(ctx.state.apiCaller!.accountId, { cursor: query.cursor, limit: query.limit }, ctx.state.t);
  ctx.body = page;
});
