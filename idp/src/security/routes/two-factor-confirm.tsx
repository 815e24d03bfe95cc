/** POST /my/security/2fa/confirm: checks the first code, turns 2FA on and shows the recovery codes once. */
import { z } from 'zod';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { enrollmentPage, recoveryCodesPage } from './views.tsx';

const schema = z.object({
  code: z.string({ error: msg('Enter the code from your app.') }).trim().regex(/^\d{6}$/, msg('Enter the 6-digit code your app shows.')),
});

export const confirmTwoFactor = defineRoute('POST /my/security/2fa/confirm', {
  guards: [signedIn],
  input: { body: schema },
  // Back to the enrollment page while one is pending; without one, the error page.
  rerender: async (ctx, error) => {
    const { account } = portalOf(ctx);
    const enrollment = await ctx.state.services.security.twoFactor.pendingEnrollment(account);
    if (!enrollment) throw error;
    html(ctx, enrollmentPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, enrollment, error: error.message, fields: error.fields }));
  },
}, async (ctx, { body }) => {
  const { account } = portalOf(ctx);
  const codes = await ctx.state.services.security.twoFactor.confirmEnrollment(account, body.code);
  html(ctx, recoveryCodesPage({ t: ctx.state.t, account, title: ctx.state.t('Two-factor authentication is on'), codes }));
});
