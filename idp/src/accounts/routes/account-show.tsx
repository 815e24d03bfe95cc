/** GET /my/account: Account Information (name, language, time zone, email). */
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseQuery } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { accountPage } from './views.tsx';

const query = z.object({ done: z.string().max(40).optional().catch(undefined) });

export function renderAccount(ctx: AppContext, extra: { done?: string; error?: string; fields?: Record<string, string>; values?: Record<string, string> } = {}, status = 200): void {
  const { account } = ctx.state.portal!;
  html(ctx, accountPage({ account, csrf: ctx.state.csrfToken, ...extra }), status);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/account', noStore, requireAccount(deps), async function showAccount(ctx) {
    renderAccount(ctx, { done: parseQuery(ctx, query).done });
  });
}
