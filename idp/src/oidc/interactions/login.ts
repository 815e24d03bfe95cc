/** POST /interaction/:uid/login: email and password; failures re-render the form with one generic message. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import { emailField, passwordField } from '../../http/fields.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { parseBody } from '../../http/validate.ts';
import { loadInteraction, renderLogin } from './details.ts';
import { afterPassword } from './sign-in.ts';

const schema = z.object({ email: emailField, password: passwordField });

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/interaction/:uid/login', async function submitLogin(ctx) {
    const { provider, details } = await loadInteraction(ctx, deps);
    const rawEmail = typeof (ctx.request.body as Record<string, unknown>)?.email === 'string' ? String((ctx.request.body as Record<string, unknown>).email).slice(0, 254) : undefined;
    const render = async (error: string, status: number) => {
      html(ctx, await renderLogin(ctx, provider, details, { email: rawEmail, error }), status);
    };
    if (details.prompt.name !== 'login') {
      await render('You are already signed in. Go back to the application and start again.', 409);
      return;
    }
    try {
      const input = parseBody(ctx, schema);
      // For a database the identifier is the membership's sign-in login, not necessarily the account email.
      const account = await ctx.state.services.databases.authenticate(details.params.client_id as string | undefined, input.email, input.password, ctx.ip);
      await afterPassword(ctx, provider, details, account);
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      for (const [k, v] of Object.entries(error.headers ?? {})) ctx.set(k, v);
      await render(error.message, error.status);
    }
  });
}
