/** GET /my/account: Account Information (name, language, time zone, email). */
import { doneQuery } from '../../fields.ts';
import type { AppContext } from '../../http/context.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { accountPage } from './views.tsx';

export function renderAccount(ctx: AppContext, extra: { done?: string; error?: string; fields?: Record<string, string>; values?: Record<string, string> } = {}, status = 200): void {
  const { account } = portalOf(ctx);
  html(ctx, accountPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, ...extra }), status);
}

export const showAccount = defineRoute('GET /my/account', { guards: [signedIn, unconfirmedAllowed('shows the address to confirm, with resend and change')], input: { query: doneQuery } }, async (ctx, { query }) => {
  renderAccount(ctx, { done: query.done });
});
