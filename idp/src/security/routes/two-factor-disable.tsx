/** POST /my/security/2fa/disable: turns 2FA off (re-authentication required); remembered devices are forgotten. */
import { buttonForm } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { seeOther } from '../../http/redirect.ts';

export const disableTwoFactor = defineRoute('POST /my/security/2fa/disable', { guards: [signedIn, recentAuth(msg('turn off two-factor authentication'))], input: { body: buttonForm } }, async (ctx) => {
  await ctx.state.services.security.twoFactor.disable(portalOf(ctx).account);
  seeOther(ctx, '/my/security?done=2fa-off#two-factor');
});
