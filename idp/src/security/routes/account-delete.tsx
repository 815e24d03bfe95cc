/** /my/security/delete: delete the account for good (re-authentication and the email typed to confirm). */
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { Layout, Notice, renderPage } from '../../ui/render.tsx';
import { deletePage } from './views.tsx';

const schema = z.object({
  confirm_email: z.string({ error: 'Type your account email to confirm.' }).trim().min(1, 'Type your account email to confirm.').max(254, 'That is not your account email.'),
});

export const showDeleteAccount = defineRoute({
  method: 'GET',
  path: '/my/security/delete',
  guards: [signedIn, unconfirmedAllowed('an account may always delete itself')],
  handler: async (ctx) => {
    const { account } = portalOf(ctx);
    html(ctx, deletePage({ account, csrf: ctx.state.csrfToken, blockers: await ctx.state.services.security.deletion.blockersFor(account.id) }));
  },
});

export const deleteAccount = defineRoute({
  method: 'POST',
  path: '/my/security/delete',
  guards: [signedIn, unconfirmedAllowed('an account may always delete itself'), recentAuth('delete your account')],
  input: { body: schema },
  rerender: async (ctx, error) => {
    const { account } = portalOf(ctx);
    html(ctx, deletePage({ account, csrf: ctx.state.csrfToken, blockers: await ctx.state.services.security.deletion.blockersFor(account.id), error: error.message, fields: error.fields }));
  },
  handler: async (ctx, { body }) => {
    const { account } = portalOf(ctx);
    await ctx.state.services.security.deletion.deleteAccount(account, body.confirm_email);
    html(ctx, renderPage(
      <Layout title="Account deleted">
        <h1>Your account was deleted</h1>
        <Notice kind="success">Your account and everything attached to it are gone. We sent a last message to {account.email}.</Notice>
        <p><a href="/signup">Create a new account</a></p>
      </Layout>,
    ));
  },
});
