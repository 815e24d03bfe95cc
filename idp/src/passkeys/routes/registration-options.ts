/** POST /my/security/passkeys/options (JSON): creation options for a new passkey, after a recent sign-in. */
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentSignInJson } from './guards.ts';
import { optionsInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const passkeyRegistrationOptions = defineRoute(`POST ${PASSKEYS_PATH}/options`, { guards: [signedIn, recentSignInJson], input: { body: optionsInput } }, async (ctx) => {
  const { account, session } = portalOf(ctx);
  ctx.body = await ctx.state.services.passkeys.registrationOptions(account, session.uid, ctx.ip);
});
