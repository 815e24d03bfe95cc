/** POST /my/security/2fa/disable: turns 2FA off (re-authentication required); remembered devices are forgotten. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/2fa/disable', noStore, requireAccount(deps), async function disableTwoFactor(ctx) {
    const { account } = ctx.state.portal!;
    await withRecentAuth(ctx, 'turn off two-factor authentication', async () => {
      await ctx.state.services.security.twoFactor.disable(account);
      ctx.status = 303;
      ctx.redirect('/my/security?done=2fa-off#two-factor');
    });
  });
}
