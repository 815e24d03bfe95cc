/** POST /my/security/2fa/forget-devices: every remembered device is asked for a code again. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../../portal/portal-session.ts';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/2fa/forget-devices', noStore, requireAccount(deps), async function forgetTrustedDevices(ctx) {
    const { account } = ctx.state.portal!;
    await ctx.state.services.security.twoFactor.forgetTrustedDevices(account.id);
    await ctx.state.services.audit.record({ accountId: account.id, actor: account.id, event: '2fa.trusted_devices_forgotten' });
    ctx.status = 303;
    ctx.redirect('/my/security?done=trusted-forgotten#two-factor');
  });
}
