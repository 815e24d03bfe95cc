/** POST /my/security/2fa/start: a new secret with its QR code; 2FA turns on only after a right code. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { enrollmentPage } from './views.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/2fa/start', noStore, requireAccount(deps), async function startTwoFactor(ctx) {
    const { account } = ctx.state.portal!;
    await withRecentAuth(ctx, 'turn on two-factor authentication', async () => {
      const enrollment = await ctx.state.services.security.twoFactor.startEnrollment(account);
      html(ctx, enrollmentPage({ account, csrf: ctx.state.csrfToken, enrollment }));
    });
  });
}
