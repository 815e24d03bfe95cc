/** /my/security: Connection & Security. The security issue fills in each control. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../portal-session.ts';
import { Layout, renderPage } from '../render.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/security', noStore, requireAccount(deps), async function showSecurity(ctx) {
    const { account } = ctx.state.portal!;
    const changedAt = ctx.state.services.accounts.passwordChangedAt(account.id);
    html(ctx, renderPage(
      <Layout title="Connection & Security" user={account} active="security">
        <h1>Connection &amp; Security</h1>
        <section aria-labelledby="password">
          <h2 id="password">Password</h2>
          <p>Last changed {changedAt ? new Date(changedAt * 1000).toISOString().slice(0, 10) : 'never'}.</p>
          <p class="hint">Your account password also opens every database linked to your account.</p>
        </section>
      </Layout>,
    ));
  });
}
