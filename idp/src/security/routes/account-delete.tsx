/** /my/security/delete: delete the account for good (re-authentication and the email typed to confirm). */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { Layout, Notice, renderPage } from '../../ui/render.tsx';
import { deletePage } from './views.tsx';

const schema = z.object({
  confirm_email: z.string({ error: 'Type your account email to confirm.' }).trim().min(1, 'Type your account email to confirm.').max(254, 'That is not your account email.'),
});

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/security/delete', noStore, requireAccount(deps), async function showDeleteAccount(ctx) {
    const { account } = ctx.state.portal!;
    html(ctx, deletePage({ account, csrf: ctx.state.csrfToken, blockers: await ctx.state.services.security.deletion.blockersFor(account.id) }));
  });

  router.post('/my/security/delete', noStore, requireAccount(deps), async function deleteAccount(ctx) {
    const { account } = ctx.state.portal!;
    const { deletion } = ctx.state.services.security;
    try {
      const { confirm_email: confirmEmail } = parseBody(ctx, schema);
      await withRecentAuth(ctx, 'delete your account', async () => {
        await deletion.deleteAccount(account, confirmEmail);
        html(ctx, renderPage(
          <Layout title="Account deleted">
            <h1>Your account was deleted</h1>
            <Notice kind="success">Your account and everything attached to it are gone. We sent a last message to {account.email}.</Notice>
            <p><a href="/signup">Create a new account</a></p>
          </Layout>,
        ));
      });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      html(ctx, deletePage({ account, csrf: ctx.state.csrfToken, blockers: await deletion.blockersFor(account.id), error: error.message }), error.status);
    }
  });
}
