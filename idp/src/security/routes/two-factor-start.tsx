/** POST /my/security/2fa/start: a new secret with its QR code; 2FA turns on only after a right code. */
import { buttonForm } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { enrollmentPage } from './views.tsx';

export const startTwoFactor = defineRoute('POST /my/security/2fa/start', { guards: [signedIn, recentAuth(msg('turn on two-factor authentication'))], input: { body: buttonForm } }, async (ctx) => {
  const { account } = portalOf(ctx);
  const enrollment = await ctx.state.services.security.twoFactor.startEnrollment(account);
  html(ctx, enrollmentPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, enrollment }));
});
