/** POST /my/security/passkeys/:id/rename: a new name for one of the account's passkeys. */
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { renderSecurity } from '../../security/routes/security-show.tsx';
import { passkeyIdParam, renameInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

export const renamePasskey = defineRoute(`POST ${PASSKEYS_PATH}/:id/rename`, {
  guards: [signedIn],
  input: { params: passkeyIdParam, body: renameInput },
  paramsError: 'not_found',
  rerender: async (ctx, error, input) => {
    // A refused name goes beside that passkey's name field too (aria-describedby), the message on top stays.
    const message = error.fields?.name;
    const passkeyRename = message && input.params ? { id: input.params.id, message } : undefined;
    await renderSecurity(ctx, { error: error.message, passkeyRename }, error.status);
  },
}, async (ctx, { params, body }) => {
  await ctx.state.services.passkeys.rename(portalOf(ctx).account, params.id, body.name);
  seeOther(ctx, '/my/security?done=passkey-renamed#passkeys');
});
