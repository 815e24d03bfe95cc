/** POST /my/security/2fa/recovery-codes: ten new recovery codes replace the old ones (re-authentication required). */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { recoveryCodesPage } from './views.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/2fa/recovery-codes', noStore, requireAccount(deps), async function regenerateRecoveryCodes(ctx) {
    const { account } = ctx.state.portal!;
    await withRecentAuth(ctx, 'create new recovery codes', async () => {
      const codes = await ctx.state.services.security.twoFactor.regenerateRecoveryCodes(account);
      html(ctx, recoveryCodesPage({ account, title: 'New recovery codes', codes }));
    });
  });
}
