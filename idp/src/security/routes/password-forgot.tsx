/** /password/forgot: asks for an email and always answers the same, whether or not it has an account. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import { emailField } from '../../http/fields.ts';
import type { AppRouter } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { parseBody } from '../../http/validate.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ email: emailField });

function view(csrf: string, p: { error?: string; sent?: string } = {}): string {
  return renderPage(
    <Layout title="Reset your password">
      <h1>Reset your password</h1>
      {p.sent && <Notice kind="success">If an account exists for {p.sent}, we sent it a link to reset the password. The link works for one hour.</Notice>}
      <section>
        <form method="post" action="/password/forgot">
          <CsrfField token={csrf} />
          <Field name="email" label="Email" type="email" autocomplete="username" error={p.error} />
          <button type="submit">Send me a reset link</button>
        </form>
      </section>
      <p><a href="/my/login">Back to sign in</a></p>
    </Layout>,
  );
}

export function register(router: AppRouter): void {
  router.get('/password/forgot', async function showForgot(ctx) {
    html(ctx, view(ctx.state.csrfToken));
  });
  router.post('/password/forgot', async function submitForgot(ctx) {
    try {
      const { email } = parseBody(ctx, schema);
      await ctx.state.services.accounts.requestPasswordReset(email, ctx.ip);
      html(ctx, view(ctx.state.csrfToken, { sent: email }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      html(ctx, view(ctx.state.csrfToken, { error: error.message }), error.status);
    }
  });
}
