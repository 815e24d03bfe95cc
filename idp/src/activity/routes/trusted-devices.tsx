/**
 * /my/security/trusted-devices: the devices remembered for two-factor authentication (browser, OS, IP,
 * added, last used); forgetting one only takes trust away, so no recent sign-in is asked (as for
 * "forget all", POST /my/security/2fa/forget-devices).
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { buttonForm, doneQuery } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { trustedDevicesPage } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

export const showTrustedDevices = defineRoute('GET /my/security/trusted-devices', { guards: [signedIn], input: { query: doneQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  html(ctx, trustedDevicesPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, devices: await ctx.state.services.security.twoFactor.listTrustedDevices(account.id), done: query.done }));
});

export const revokeTrustedDevice = defineRoute('POST /my/security/trusted-devices/:id/revoke', {
  guards: [signedIn],
  paramsError: 'not_found',
  input: {
    params: z.object({ id: z.string({ error: 'Unknown device.' }).regex(/^td_[A-Za-z0-9_-]{1,40}$/, 'Unknown device.') }),
    body: buttonForm,
  },
}, async (ctx, { params }) => {
  const { account } = portalOf(ctx);
  if (!await ctx.state.services.security.twoFactor.revokeTrustedDevice(account.id, params.id)) {
    throw new AppError('not_found', 'That device is not remembered any more.');
  }
  seeOther(ctx, '/my/security/trusted-devices?done=revoked');
});
