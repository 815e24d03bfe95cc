/**
 * /password/reset?token=…: choose a new password from a mailed link; every session of the account ends.
 * The account's passkeys are listed, ticked for removal (passkeys/routes/password-reset.ts).
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { CsrfField, Field, formError, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { ResetPasskeyList } from '../../passkeys/routes/views.tsx';
import type { Passkey } from '../../passkeys/types.ts';
import { passkeyLines, passkeysOfResetToken, removePasskeysField } from '../../passkeys/routes/password-reset.ts';

const querySchema = z.object({ token: tokenField });
const bodySchema = z.object({
  token: tokenField,
  password: z.string({ error: 'Choose a new password.' }).min(1, 'Choose a new password.').max(1024, 'That password is too long.'),
  remove_passkey: removePasskeysField,
});

function view(csrf: string, token: string, error: { error?: string; fields?: Record<string, string> } = {}, passkeys: Passkey[] = []): string {
  return renderPage(
    <Layout title="Choose a new password">
      <h1>Choose a new password</h1>
      {error.error && <Notice kind="error">{error.error}</Notice>}
      <section>
        <form method="post" action="/password/reset">
          <CsrfField token={csrf} />
          <input type="hidden" name="token" value={token} />
          <Field name="password" label="New password" type="password" autocomplete="new-password" error={error.fields?.password}
            hint="At least 8 characters. A long passphrase is best." minLength={8} />
          <ResetPasskeyList passkeys={passkeys} />
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
    html(ctx, view(ctx.state.csrfToken, query.token, {}, await passkeysOfResetToken(ctx.state.services, query.token)));
  },
});

export const submitReset = defineRoute({
  method: 'POST',
  path: '/password/reset',
  input: { body: bodySchema },
  // A refused form (no usable token) or a spent link gets the error page; a refused password, the form again.
  rerender: async (ctx, error, input) => {
    if (!input.body || error.code === 'gone') throw error;
    html(ctx, view(ctx.state.csrfToken, input.body.token, formError(error, ['password']), await passkeysOfResetToken(ctx.state.services, input.body.token)));
  },
  handler: async (ctx, { body }) => {
    // The credential lifecycle ends every session (relying parties are told), forgets trusted devices and
    // removes the ticked passkeys; the page says which passkeys are gone and which are kept.
    const before = await passkeysOfResetToken(ctx.state.services, body.token);
    const account = await ctx.state.services.accounts.resetPassword(body.token, body.password, { removePasskeys: body.remove_passkey });
    const kept = await ctx.state.services.passkeys.list(account.id);
    const passkeyReport = passkeyLines(before.filter((p) => !kept.some((k) => k.id === p.id)), kept);
    html(ctx, renderPage(
      <Layout title="Password changed">
        <h1>Password changed</h1>
        <Notice kind="success">Your password was changed and every device was signed out.</Notice>
        {passkeyReport.map((line) => <p key={line}>{line}</p>)}
        <p><a class="button" href="/my/login">Sign in</a></p>
      </Layout>,
    ));
  },
});
