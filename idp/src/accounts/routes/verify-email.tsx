/**
 * /verify-email?token=…: GET shows a button, POST confirms. Mail scanners that prefetch links only GET,
 * so they cannot spend the one-time token.
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { ConfirmLinkPage, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ token: tokenField });

export const showVerifyEmail = defineRoute({
  method: 'GET',
  path: '/verify-email',
  input: { query: schema },
  handler: async (ctx, { query }) => {
    html(ctx, renderPage(
      <ConfirmLinkPage title="Confirm your email" heading="Confirm your email address" action="/verify-email" token={query.token} csrf={ctx.state.csrfToken} button="Confirm my address" />,
    ));
  },
});

export const submitVerifyEmail = defineRoute({
  method: 'POST',
  path: '/verify-email',
  input: { body: schema },
  handler: async (ctx, { body }) => {
    const account = await ctx.state.services.accounts.verifyEmail(body.token);
    html(ctx, renderPage(
      <Layout title="Email confirmed">
        <h1>Email confirmed</h1>
        <Notice kind="success">{account.email} is confirmed.</Notice>
        <p><a class="button" href="/my/account">Continue to your account</a></p>
      </Layout>,
    ));
  },
});
