/** GET /my/security/activity?cursor=: the account's recent security activity, newest first, paged. */
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { activityQuery } from '../schemas.ts';
import { activityPage } from './views.tsx';

export const showActivity = defineRoute('GET /my/security/activity', { guards: [signedIn], input: { query: activityQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const page = await ctx.state.services.activity.page(account.id, { cursor: query.cursor, limit: query.limit }, ctx.state.t);
  html(ctx, activityPage({ t: ctx.state.t, account, entries: page.entries, nextCursor: page.nextCursor, first: query.cursor === undefined }));
});
