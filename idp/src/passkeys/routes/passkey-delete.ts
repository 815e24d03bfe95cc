/**
 * POST /my/security/passkeys/:id/delete: deletes one passkey (recent sign-in required; a mail tells the
 * owner). The last way to sign in of an account without a password is refused with the reason.
 */
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from '../../security/routes/security-show.tsx';
import { optionsInput, passkeyIdParam } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

export const deletePasskey = defineRoute(`POST ${PASSKEYS_PATH}/:id/delete`, {
  guards: [signedIn, recentAuth(msg('delete a passkey'))],
  input: { params: passkeyIdParam, body: optionsInput },
  paramsError: 'not_found',
  rerender: async (ctx, error) => {
    await renderSecurity(ctx, { error: error.message }, error.status);
  },
}, async (ctx, { params }) => {
  await ctx.state.services.passkeys.remove(portalOf(ctx).account, params.id, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
  seeOther(ctx, '/my/security?done=passkey-deleted#passkeys');
});
