/** POST /interaction/:uid/login: email and password; failures re-render the form with one generic message. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { emailField, passwordField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { clientNameOf, interaction, interactionOf, passkeyRequirement, renderLogin } from './details.ts';
import { afterPassword, countingSignInFailures, deviceCookieHash } from './sign-in.ts';

export const submitLogin = defineRoute('POST /interaction/:uid/login', {
  guards: [interaction],
  input: { body: z.object({ email: emailField, password: passwordField }) },
  rerender: async (ctx, error) => {
    const { provider, details } = interactionOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.slice(0, 254) : undefined;
    html(ctx, await renderLogin(ctx, provider, details, { email, error: error.message, fields: error.fields }));
  },
}, async (ctx, { body }) => {
  const { provider, details } = interactionOf(ctx);
  if (details.prompt.name !== 'login') throw new AppError('conflict', 'You are already signed in. Go back to the application and start again.');
  // The application asked for a passkey (acr_values): a password would not meet it.
  const passkeyOnly = passkeyRequirement(details, (await clientNameOf(provider, details.params.client_id)).name);
  if (passkeyOnly) throw new AppError('forbidden', passkeyOnly.key, { params: passkeyOnly.params });
  // For a database the identifier is the membership's sign-in login, not necessarily the account email.
  const account = await countingSignInFailures('wrong_password', () => ctx.state.services.databases.authenticate(
    details.params.client_id as string | undefined, body.email, body.password, { ip: ctx.ip, deviceHash: deviceCookieHash(ctx) }));
  await afterPassword(ctx, provider, details, account);
});
