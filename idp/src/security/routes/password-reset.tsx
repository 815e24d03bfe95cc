/**
 * /password/reset?token=…: choose a new password from a mailed link; every session of the account ends.
 * The account's passkeys are listed, ticked for removal (passkeys/routes/password-reset.ts).
 */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import { tokenField } from '../../http/fields.ts';
import type { AppRouter } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { parseBody, parseQuery } from '../../http/validate.ts';
import { noStore } from '../../http/security-headers.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { ResetPasskeyList } from '../../passkeys/routes/views.tsx';
import type { Passkey } from '../../passkeys/types.ts';
import { passkeysOfResetToken, removePasskeysField, removeTickedPasskeys } from '../../passkeys/routes/password-reset.ts';

const querySchema = z.object({ token: tokenField });
const bodySchema = z.object({
  token: tokenField,
  password: z.string({ error: 'Choose a new password.' }).min(1, 'Choose a new password.').max(1024, 'That password is too long.'),
  remove_passkey: removePasskeysField,
});

function view(csrf: string, token: string, error?: string, passkeys: Passkey[] = []): string {
  return renderPage(
    <Layout title="Choose a new password">
      <h1>Choose a new password</h1>
      <section>
        <form method="post" action="/password/reset">
          <CsrfField token={csrf} />
          <input type="hidden" name="token" value={token} />
          <Field name="password" label="New password" type="password" autocomplete="new-password" error={error}
            hint="At least 8 characters. A long passphrase is best." minLength={8} />
          <ResetPasskeyList passkeys={passkeys} />
          <button type="submit">Set password</button>
        </form>
      </section>
    </Layout>,
  );
}

export function register(router: AppRouter): void {
  router.get('/password/reset', noStore, async function showReset(ctx) {
    const { token } = parseQuery(ctx, querySchema);
    if (!await ctx.state.services.accounts.isResetTokenLive(token)) {
      html(ctx, renderPage(
        <Layout title="Link expired">
          <h1>This link has expired</h1>
          <Notice kind="error">This reset link is invalid, was already used, or has expired.</Notice>
          <p><a class="button" href="/password/forgot">Ask for a new link</a></p>
        </Layout>,
      ), 410);
      return;
    }
    html(ctx, view(ctx.state.csrfToken, token, undefined, await passkeysOfResetToken(ctx.state.services, token)));
  });

  router.post('/password/reset', noStore, async function submitReset(ctx) {
    const { token, password, remove_passkey: removePasskeys } = parseBody(ctx, bodySchema);
    let passkeyReport: string | undefined;
    try {
      const account = await ctx.state.services.accounts.resetPassword(token, password, async (reset) => {
        passkeyReport = await removeTickedPasskeys(ctx.state.services, reset.id, removePasskeys);
        return passkeyReport;
      });
      // Every session ends and relying parties are told; remembered 2FA devices are forgotten too.
      await ctx.state.services.security.sessions.endAllSessions(account.id);
      await ctx.state.services.security.twoFactor.forgetTrustedDevices(account.id);
      html(ctx, renderPage(
        <Layout title="Password changed">
          <h1>Password changed</h1>
          <Notice kind="success">Your password was changed and every device was signed out.</Notice>
          {passkeyReport && passkeyReport.split('\n').map((line) => <p key={line}>{line}</p>)}
          <p><a class="button" href="/my/login">Sign in</a></p>
        </Layout>,
      ));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500 || error.code === 'gone') throw error;
      html(ctx, view(ctx.state.csrfToken, token, error.message, await passkeysOfResetToken(ctx.state.services, token)), error.status);
    }
  });
}
