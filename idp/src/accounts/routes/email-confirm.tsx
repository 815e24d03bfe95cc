/**
 * /my/account/email/confirm?token=…: GET shows a button, POST makes the new address the account's
 * (mail scanners only GET, so they cannot spend the link).
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { ConfirmLinkPage, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ token: tokenField });

export const showConfirmEmailChange = defineRoute({
  method: 'GET',
  path: '/my/account/email/confirm',
  input: { query: schema },
  handler: async (ctx, { query }) => {
    html(ctx, renderPage(
      <ConfirmLinkPage title="Confirm your new email" heading="Confirm your new email address" action="/my/account/email/confirm" token={query.token} csrf={ctx.state.csrfToken} button="Use this address for my account" />,
    ));
  },
});

export const confirmEmailChange = defineRoute({
  method: 'POST',
  path: '/my/account/email/confirm',
  input: { body: schema },
  handler: async (ctx, { body }) => {
    const account = await ctx.state.services.security.profile.confirmEmailChange(body.token);
    html(ctx, renderPage(
      <Layout title="Email changed">
        <h1>Email changed</h1>
        <Notice kind="success">Your account email is now {account.email}.</Notice>
        <p><a class="button" href="/my/account">Continue to your account</a></p>
      </Layout>,
    ));
  },
});
