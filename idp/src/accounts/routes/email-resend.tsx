/** POST /my/account/email/resend: mails a new confirmation link to an account's unconfirmed address. */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { renderAccount } from './account-show.tsx';
import { seeOther } from '../../http/redirect.ts';

export const resendConfirmation = defineRoute('POST /my/account/email/resend', { guards: [signedIn, unconfirmedAllowed('resending the link is how an account gets confirmed')], input: { body: buttonForm }, rerender: (ctx, error) => renderAccount(ctx, { error: error.message }) }, async (ctx) => {
  await ctx.state.services.accounts.resendConfirmation(portalOf(ctx).account);
  seeOther(ctx, '/my/account?done=confirmation-sent');
});
