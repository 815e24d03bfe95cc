/**
 * POST /interaction/:uid/passkey: signs in with a passkey. The account is the one the passkey belongs
 * to; the sign-in needs no second factor (a user-verified passkey is already two factors) and its time
 * counts as a recent sign-in. Databases apply their membership rules after it, as after a password.
 * Failures re-render the sign-in form with the reason.
 */
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { acrFor, meetsAcr, requiredPasskeyAcr } from '../../oidc/acr.ts';
import { clientNameOf, interaction, interactionOf, passkeyRequirement, renderLogin } from '../../oidc/interactions/details.ts';
import { completeSignIn, countingSignInFailures } from '../../oidc/interactions/sign-in.ts';
import { signInInput } from './schemas.ts';

export const signInWithPasskey = defineRoute('POST /interaction/:uid/passkey', {
  guards: [interaction],
  input: { body: signInInput },
  rerender: async (ctx, error) => {
    const { provider, details } = interactionOf(ctx);
    html(ctx, await renderLogin(ctx, provider, details, { error: error.message }));
  },
}, async (ctx, { body }) => {
  const { provider, details } = interactionOf(ctx);
  if (details.prompt.name !== 'login') throw new AppError('conflict', 'You are already signed in. Go back to the application and start again.');
  // Only a throttled passkey sign-in counts as a failure outcome; a successful one is `passkey`.
  const { account, amr } = await countingSignInFailures(undefined, () => ctx.state.services.passkeys.signIn(details.uid, body.response, ctx.ip));
  // A synced passkey does not meet a request for a device-bound one (acr_values=phrh).
  const required = requiredPasskeyAcr(details.params.acr_values);
  if (required && !meetsAcr(acrFor(amr), required)) {
    const { key, params } = passkeyRequirement(details, (await clientNameOf(provider, details.params.client_id)).name)!;
    throw new AppError('forbidden', key, { params });
  }
  await completeSignIn(ctx, provider, account, amr);
});
