/** /my/security/delete: delete the account for good (re-authentication and the email typed to confirm). */
import { z } from 'zod';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { deletedPage, deletePage } from './views.tsx';

const schema = z.object({
  confirm_email: z.string({ error: msg('Type your account email to confirm.') }).trim().min(1, msg('Type your account email to confirm.')).max(254, msg('That is not your account email.')),
});

export const showDeleteAccount = defineRoute('GET /my/security/delete', { guards: [signedIn, unconfirmedAllowed('an account may always delete itself')] }, async (ctx) => {
  const { account } = portalOf(ctx);
  html(ctx, deletePage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, blockers: await ctx.state.services.security.deletion.blockersFor(account.id) }));
});

export const deleteAccount = defineRoute('POST /my/security/delete', {
  guards: [signedIn, unconfirmedAllowed('an account may always delete itself'), recentAuth(msg('delete your account'))],
  input: { body: schema },
  rerender: async (ctx, error) => {
    const { account } = portalOf(ctx);
    html(ctx, deletePage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, blockers: await ctx.state.services.security.deletion.blockersFor(account.id), error: error.message, fields: error.fields }));
  },
}, async (ctx, { body }) => {
  const { account } = portalOf(ctx);
  await ctx.state.services.security.deletion.deleteAccount(account, body.confirm_email);
  html(ctx, deletedPage(ctx.state.t, account.email));
});
