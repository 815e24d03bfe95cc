/** POST /my/security/devices/logout-others: "Log out from all devices" except this one (re-authentication required). */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/devices/logout-others', noStore, requireAccount(deps), async function logoutOtherDevices(ctx) {
    const { account, session } = ctx.state.portal!;
    await withRecentAuth(ctx, 'log out from all other devices', async () => {
      await ctx.state.services.security.sessions.endOtherSessions(account.id, session.uid);
      ctx.status = 303;
      ctx.redirect('/my/security?done=logged-out-others#devices');
    });
  });
}
