/**
 * /my/account/email/confirm?token=…: GET shows a button, POST makes the new address the account's
 * (mail scanners only GET, so they cannot spend the link).
 */
import { z } from 'zod';
import { tokenField } from '../../http/fields.ts';
import type { AppRouter } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody, parseQuery } from '../../http/validate.ts';
import { ConfirmLinkPage, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ token: tokenField });

export function register(router: AppRouter): void {
  router.get('/my/account/email/confirm', noStore, async function showConfirmEmailChange(ctx) {
    const { token } = parseQuery(ctx, schema);
    html(ctx, renderPage(
      <ConfirmLinkPage title="Confirm your new email" heading="Confirm your new email address" action="/my/account/email/confirm" token={token} csrf={ctx.state.csrfToken} button="Use this address for my account" />,
    ));
  });

  router.post('/my/account/email/confirm', noStore, async function confirmEmailChange(ctx) {
    const { token } = parseBody(ctx, schema);
    const account = await ctx.state.services.security.profile.confirmEmailChange(token);
    html(ctx, renderPage(
      <Layout title="Email changed">
        <h1>Email changed</h1>
        <Notice kind="success">Your account email is now {account.email}.</Notice>
        <p><a class="button" href="/my/account">Continue to your account</a></p>
      </Layout>,
    ));
  });
}
