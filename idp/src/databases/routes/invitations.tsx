/**
 * Invitations to databases. The mailed link (/my/invitations?token=) leads here after sign-in (or
 * sign-up); accepting needs an account whose confirmed email is the invited address. Pending
 * invitations are also listed under /my/databases, so the link is a convenience, not a credential.
 */
import { z } from 'zod';
import { buttonForm, tokenField } from '../../fields.ts';
import { defineRoute, type Route } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { AppError } from '../../errors.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { CsrfField, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { seeOther } from '../../http/redirect.ts';

const linkQuery = z.object({ token: tokenField });

export const showInvitation = defineRoute('GET /my/invitations', { guards: [signedIn], input: { query: linkQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const invitation = await ctx.state.services.databases.invitationByToken(query.token);
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

const answered = 'This invitation was withdrawn, already answered or has expired.';
const invitationParams = z.object({ id: z.string({ error: answered }).regex(/^[A-Za-z0-9_-]{1,64}$/, answered) });

/** Accept or decline (`answer`, also the path's last segment): back to the databases page with the notice. */
function invitationAnswer(answer: 'accept' | 'decline', notice: string): Route {
  return defineRoute(`POST /my/invitations/:id/${answer}`, { guards: [signedIn], input: { params: invitationParams, body: buttonForm }, paramsError: 'gone' }, async (ctx, { params }) => {
    const { databases } = ctx.state.services;
    const { account } = portalOf(ctx);
    if (answer === 'accept') await databases.acceptInvitation(params.id, account);
    else await databases.declineInvitation(params.id, account);
    seeOther(ctx, `/my/databases?notice=${notice}`);
  });
}

export const acceptInvitation = invitationAnswer('accept', 'joined');
export const declineInvitation = invitationAnswer('decline', 'declined');
