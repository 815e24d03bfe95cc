/** POST /my/security/passkeys/reauth-options (JSON): request options to confirm it is you with one of the account's passkeys. */
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { optionsInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const passkeyReauthOptions = defineRoute(`POST ${PASSKEYS_PATH}/reauth-options`, { guards: [signedIn], input: { body: optionsInput } }, async (ctx) => {
  const { account, session } = portalOf(ctx);
  ctx.body = await ctx.state.services.passkeys.reauthOptions(account, session.uid, ctx.ip);
});
