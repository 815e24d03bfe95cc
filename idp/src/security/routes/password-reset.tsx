/** /password/reset?token=…: choose a new password from a mailed link; every session of the account ends. */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';

const querySchema = z.object({ token: tokenField });
const bodySchema = z.object({
  token: tokenField,
  password: z.string({ error: 'Choose a new password.' }).min(1, 'Choose a new password.').max(1024, 'That password is too long.'),
});

function view(csrf: string, token: string, error?: string): string {
  return renderPage(
    <Layout title="Choose a new password">
      <h1>Choose a new password</h1>
      <section>
        <form method="post" action="/password/reset">
          <CsrfField token={csrf} />
          <input type="hidden" name="token" value={token} />
          <Field name="password" label="New password" type="password" autocomplete="new-password" error={error}
            hint="At least 8 characters. A long passphrase is best." minLength={8} />
          <button type="submit">Set password</button>
        </form>
      </section>
    </Layout>,
  );
}

export const showReset = defineRoute({
  method: 'GET',
  path: '/password/reset',
  input: { query: querySchema },
  handler: async (ctx, { query }) => {
    if (!await ctx.state.services.accounts.isResetTokenLive(query.token)) {
      html(ctx, renderPage(
        <Layout title="Link expired">
          <h1>This link has expired</h1>
          <Notice kind="error">This reset link is invalid, was already used, or has expired.</Notice>
          <p><a class="button" href="/password/forgot">Ask for a new link</a></p>
        </Layout>,
      ), 410);
      return;
    }
    html(ctx, view(ctx.state.csrfToken, query.token));
  },
});

export const submitReset = defineRoute({
  method: 'POST',
  path: '/password/reset',
  input: { body: bodySchema },
  // A refused form (no usable token) or a spent link gets the error page; a refused password, the form again.
  rerender: (ctx, error, input) => {
    if (!input.body || error.code === 'gone') throw error;
    html(ctx, view(ctx.state.csrfToken, input.body.token, error.message));
  },
  handler: async (ctx, { body }) => {
    // The credential lifecycle ends every session (relying parties are told) and forgets trusted devices.
    await ctx.state.services.accounts.resetPassword(body.token, body.password);
    html(ctx, renderPage(
      <Layout title="Password changed">
        <h1>Password changed</h1>
        <Notice kind="success">Your password was changed and every device was signed out.</Notice>
        <p><a class="button" href="/my/login">Sign in</a></p>
      </Layout>,
    ));
  },
});
