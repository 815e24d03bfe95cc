/**
 * POST /my/security/devices/:id/logout: signs one other device out (its apps are told by back-channel
 * logout). Re-authentication required, like "Log out from all devices".
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { buttonForm } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { seeOther } from '../../http/redirect.ts';

export const signOutDevice = defineRoute('POST /my/security/devices/:id/logout', {
  guards: [signedIn, recentAuth(msg('sign out a device'))],
  input: {
    params: z.object({ id: z.string({ error: msg('Unknown device.') }).regex(/^[A-Za-z0-9_-]{1,64}$/, msg('Unknown device.')) }),
    body: buttonForm,
  },
}, async (ctx, { params }) => {
  const { account, session } = portalOf(ctx);
  if (params.id === session.uid) throw new AppError('bad_request', 'To sign out this device, use Log out at the top of the page.');
  if (!(await ctx.state.services.security.sessions.endSession(account.id, params.id))) {
    throw new AppError('not_found', 'That device is not signed in any more.');
  }
  seeOther(ctx, '/my/security?done=device-out#devices');
});
