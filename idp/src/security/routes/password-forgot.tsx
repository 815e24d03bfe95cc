/** /password/forgot: asks for an email and always answers the same, whether or not it has an account. */
import { z } from 'zod';
import { emailField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { CsrfField, Field, formError, Layout, Notice, renderPage } from '../../ui/render.tsx';

const schema = z.object({ email: emailField });

function view(csrf: string, p: { error?: string; fields?: Record<string, string>; sent?: string } = {}): string {
  return renderPage(
    <Layout title="Reset your password">
      <h1>Reset your password</h1>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.sent && <Notice kind="success">If an account exists for {p.sent}, we sent it a link to reset the password. The link works for one hour.</Notice>}
      <section>
        <form method="post" action="/password/forgot">
          <CsrfField token={csrf} />
          <Field name="email" label="Email" type="email" autocomplete="username" error={p.fields?.email} />
          <button type="submit">Send me a reset link</button>
        </form>
      </section>
      <p><a href="/my/login">Back to sign in</a></p>
    </Layout>,
  );
}

export const showForgot = defineRoute({
  method: 'GET',
  path: '/password/forgot',
  handler: async (ctx) => {
    html(ctx, view(ctx.state.csrfToken));
  },
});

export const submitForgot = defineRoute({
  method: 'POST',
  path: '/password/forgot',
  input: { body: schema },
  rerender: (ctx, error) => html(ctx, view(ctx.state.csrfToken, formError(error, ['email']))),
  handler: async (ctx, { body }) => {
    await ctx.state.services.accounts.requestPasswordReset(body.email, ctx.ip);
    html(ctx, view(ctx.state.csrfToken, { sent: body.email }));
  },
});
