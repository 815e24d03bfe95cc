/** /my/databases: the database manager. The databases issue lists memberships and invitations here. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../portal-session.ts';
import { Layout, renderPage } from '../render.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/databases', noStore, requireAccount(deps), async function showDatabases(ctx) {
    const { account } = ctx.state.portal!;
    html(ctx, renderPage(
      <Layout title="Databases" user={account} active="databases">
        <h1>Databases</h1>
        <p>You do not own or belong to any database yet.</p>
      </Layout>,
    ));
  });
}
