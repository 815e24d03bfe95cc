/** /my/account: Account Information. Later issues add editing of details and the email change flow. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { requireAccount } from '../portal-session.ts';
import { Layout, Notice, renderPage } from '../render.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/account', noStore, requireAccount(deps), async function showAccount(ctx) {
    const { account } = ctx.state.portal!;
    html(ctx, renderPage(
      <Layout title="Account Information" user={account} active="account">
        <h1>Account Information</h1>
        {!account.emailVerifiedAt && <Notice kind="info">Your email address is not confirmed yet. Open the link we mailed you.</Notice>}
        <section aria-labelledby="details">
          <h2 id="details">Your details</h2>
          <dl>
            <dt>Name</dt><dd>{account.name}</dd>
            <dt>Email</dt><dd>{account.email} {account.emailVerifiedAt ? '(confirmed)' : '(not confirmed)'}</dd>
            <dt>Language</dt><dd>{account.locale}</dd>
            <dt>Time zone</dt><dd>{account.timezone}</dd>
          </dl>
          <p class="hint">Changing your account email never changes the login you use to sign in to a database.</p>
        </section>
      </Layout>,
    ));
  });
}
