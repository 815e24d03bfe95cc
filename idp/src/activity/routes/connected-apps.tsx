/**
 * /my/security/apps: databases and apps holding a live grant of the account, with last use, and "Sign
 * out of this database" (its grants and tokens revoked, back-channel logout sent). Only takes access
 * away, so no recent sign-in is asked. The portal itself is not listed: it is this site.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { msg } from '../../i18n/translator.ts';
import { buttonForm, doneQuery } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/provider.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { connectedAppsPage } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

export const hiddenClients = [PORTAL_CLIENT_ID];

export const showConnectedApps = defineRoute('GET /my/security/apps', { guards: [signedIn], input: { query: doneQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  html(ctx, connectedAppsPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, apps: await ctx.state.services.security.sessions.connectedApps(account.id, hiddenClients), done: query.done }));
});

export const signOutOfApp = defineRoute('POST /my/security/apps/:clientId/sign-out', {
  guards: [signedIn],
  paramsError: 'not_found',
  input: {
    params: z.object({ clientId: z.string({ error: msg('Unknown database or app.') }).regex(/^[A-Za-z0-9._:-]{1,200}$/, msg('Unknown database or app.')) }),
    body: buttonForm,
  },
}, async (ctx, { params }) => {
  const { account } = portalOf(ctx);
  if (hiddenClients.includes(params.clientId) || !await ctx.state.services.security.sessions.signOutOfApp(account.id, params.clientId)) {
    throw new AppError('not_found', 'That database or app holds no access to your account.');
  }
  seeOther(ctx, '/my/security/apps?done=signed-out');
});
