/** POST /my/security/2fa/forget-devices: every remembered device is asked for a code again. */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { seeOther } from '../../http/redirect.ts';

export const forgetTrustedDevices = defineRoute('POST /my/security/2fa/forget-devices', { guards: [signedIn], input: { body: buttonForm } }, async (ctx) => {
  const { account } = portalOf(ctx);
  await ctx.state.services.security.twoFactor.forgetTrustedDevices(account.id);
  await ctx.state.services.audit.record({ accountId: account.id, actor: account.id, event: '2fa.trusted_devices_forgotten' });
  seeOther(ctx, '/my/security?done=trusted-forgotten#two-factor');
});
