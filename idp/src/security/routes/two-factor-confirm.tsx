/** POST /my/security/2fa/confirm: checks the first code, turns 2FA on and shows the recovery codes once. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { enrollmentPage, recoveryCodesPage } from './views.tsx';

const schema = z.object({
  code: z.string({ error: 'Enter the code from your app.' }).trim().regex(/^\d{6}$/, 'Enter the 6-digit code your app shows.'),
});

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/2fa/confirm', noStore, requireAccount(deps), async function confirmTwoFactor(ctx) {
    const { account } = ctx.state.portal!;
    const { twoFactor } = ctx.state.services.security;
    try {
      const { code } = parseBody(ctx, schema);
      const codes = await twoFactor.confirmEnrollment(account, code);
      html(ctx, recoveryCodesPage({ account, title: 'Two-factor authentication is on', codes }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const enrollment = await twoFactor.pendingEnrollment(account);
      if (!enrollment) throw error;
      html(ctx, enrollmentPage({ account, csrf: ctx.state.csrfToken, enrollment, error: error.message }), error.status);
    }
  });
}
