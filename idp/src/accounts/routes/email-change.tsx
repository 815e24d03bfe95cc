/** POST /my/account/email: asks to change the email (re-authentication required); effective on confirmation. */
import { z } from 'zod';
import { emailField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { msg } from '../../i18n/translator.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { renderAccount } from './account-show.tsx';
import { seeOther } from '../../http/redirect.ts';

export const requestEmailChange = defineRoute('POST /my/account/email', {
  guards: [signedIn, unconfirmedAllowed('a mistyped address must be correctable'), recentAuth(msg('change your email address'))],
  input: { body: z.object({ email: emailField }) },
  rerender: (ctx, error) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    renderAccount(ctx, { error: error.message, fields: error.fields, values: { email: typeof body.email === 'string' ? body.email.slice(0, 254) : '' } });
  },
}, async (ctx, { body }) => {
  await ctx.state.services.security.profile.requestEmailChange(portalOf(ctx).account, body.email);
  seeOther(ctx, '/my/account?done=email-sent');
});
