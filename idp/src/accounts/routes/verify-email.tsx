/**
 * /verify-email?token=…: GET shows a button, POST confirms. Mail scanners that prefetch links only GET,
 * so they cannot spend the one-time token.
 */
import { z } from 'zod';
import { tokenField } from '../../http/fields.ts';
import type { AppRouter } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { parseBody, parseQuery } from '../../http/validate.ts';
import { noStore } from '../../http/security-headers.ts';
import { ConfirmLinkPage, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ token: tokenField });

export function register(router: AppRouter): void {
  router.get('/verify-email', noStore, async function showVerifyEmail(ctx) {
    const { token } = parseQuery(ctx, schema);
    html(ctx, renderPage(
      <ConfirmLinkPage title="Confirm your email" heading="Confirm your email address" action="/verify-email" token={token} csrf={ctx.state.csrfToken} button="Confirm my address" />,
    ));
  });

  router.post('/verify-email', noStore, async function submitVerifyEmail(ctx) {
    const { token } = parseBody(ctx, schema);
    const account = await ctx.state.services.accounts.verifyEmail(token);
    html(ctx, renderPage(
      <Layout title="Email confirmed">
        <h1>Email confirmed</h1>
        <Notice kind="success">{account.email} is confirmed.</Notice>
        <p><a class="button" href="/my/account">Continue to your account</a></p>
      </Layout>,
    ));
  });
}
