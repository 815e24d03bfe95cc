/**
 * POST /interaction/:uid/passkey/options (JSON): request options for signing in with a passkey in this
 * interaction. Discoverable flow: no email is asked or sent, so the answer is the same for everyone.
 */
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { interaction, interactionOf } from '../../oidc/interactions/details.ts';
import { optionsInput } from './schemas.ts';

export const passkeySignInOptions = defineRoute('POST /interaction/:uid/passkey/options', { guards: [interaction], input: { body: optionsInput } }, async (ctx) => {
  const { details } = interactionOf(ctx);
  if (details.prompt.name !== 'login') throw new AppError('conflict', 'You are already signed in. Go back to the application and start again.');
  ctx.body = await ctx.state.services.passkeys.signInOptions(details.uid, ctx.ip);
});
