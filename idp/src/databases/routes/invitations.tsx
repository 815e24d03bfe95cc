/**
 * Invitations to databases. The mailed link (/my/invitations?token=) leads here after sign-in (or
 * sign-up); accepting needs an account whose confirmed email is the invited address. Pending
 * invitations are also listed under /my/databases, so the link is a convenience, not a credential.
 */
import { z } from 'zod';
import { tokenField } from '../../http/fields.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseQuery } from '../../http/validate.ts';
import { AppError } from '../../errors.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { CsrfField, Layout, Notice, renderPage } from '../../ui/render.tsx';

const linkQuery = z.object({ token: tokenField });
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/invitations', noStore, requireAccount(deps), async function showInvitation(ctx) {
    const { account } = ctx.state.portal!;
    const { token } = parseQuery(ctx, linkQuery);
    const invitation = await ctx.state.services.databases.invitationByToken(token);
    if (!invitation) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
    const matches = invitation.login.toLowerCase() === account.email.toLowerCase();
    html(ctx, renderPage(
      <Layout title={`Invitation to ${invitation.database.name}`} user={account} active="databases">
        <h1>Join {invitation.database.name}?</h1>
        <section>
          <p>{invitation.database.name} ({invitation.database.url}) invites <strong>{invitation.login}</strong>. You will sign in to it as {invitation.login}.</p>
          {!matches && <Notice kind="error">This invitation is for {invitation.login}, but you are signed in as {account.email}. Sign in with the account that has this address, or create one.</Notice>}
          {matches && !account.emailVerifiedAt && <Notice kind="error">Confirm your email address first: open the link we mailed you, then come back.</Notice>}
          {matches && account.emailVerifiedAt && (
            <div class="actions">
              <form method="post" action={`/my/invitations/${invitation.id}/accept`}>
                <CsrfField token={ctx.state.csrfToken} />
                <button type="submit">Accept</button>
              </form>
              <form method="post" action={`/my/invitations/${invitation.id}/decline`}>
                <CsrfField token={ctx.state.csrfToken} />
                <button type="submit" class="secondary">Decline</button>
              </form>
            </div>
          )}
        </section>
      </Layout>,
    ));
  });

  router.post('/my/invitations/:id/accept', noStore, requireAccount(deps), async function acceptInvitation(ctx) {
    if (!idPattern.test(ctx.params.id ?? '')) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
    await ctx.state.services.databases.acceptInvitation(ctx.params.id!, ctx.state.portal!.account);
    ctx.status = 303;
    ctx.redirect('/my/databases?notice=joined');
  });

  router.post('/my/invitations/:id/decline', noStore, requireAccount(deps), async function declineInvitation(ctx) {
    if (!idPattern.test(ctx.params.id ?? '')) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
    await ctx.state.services.databases.declineInvitation(ctx.params.id!, ctx.state.portal!.account);
    ctx.status = 303;
    ctx.redirect('/my/databases?notice=declined');
  });
}
