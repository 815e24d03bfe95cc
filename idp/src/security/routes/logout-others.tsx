/** POST /my/security/devices/logout-others: "Log out from all devices" except this one (re-authentication required). */
import { buttonForm } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { seeOther } from '../../http/redirect.ts';

export const logoutOtherDevices = defineRoute('POST /my/security/devices/logout-others', { guards: [signedIn, recentAuth(msg('log out from all other devices'))], input: { body: buttonForm } }, async (ctx) => {
  const { account, session } = portalOf(ctx);
  await ctx.state.services.security.sessions.endOtherSessions(account.id, session.uid);
  seeOther(ctx, '/my/security?done=logged-out-others#devices');
});
