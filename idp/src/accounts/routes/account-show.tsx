/** GET /my/account: Account Information (name, language, time zone, email). */
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { accountPage } from './views.tsx';

export function renderAccount(ctx: AppContext, extra: { done?: string; error?: string; fields?: Record<string, string>; values?: Record<string, string> } = {}, status = 200): void {
  const { account } = portalOf(ctx);
  html(ctx, accountPage({ account, csrf: ctx.state.csrfToken, ...extra }), status);
}

export const showAccount = defineRoute({
  method: 'GET',
  path: '/my/account',
  guards: [signedIn],
  input: { query: z.object({ done: z.string().max(40).optional().catch(undefined) }) },
  handler: async (ctx, { query }) => {
    renderAccount(ctx, { done: query.done });
  },
});
