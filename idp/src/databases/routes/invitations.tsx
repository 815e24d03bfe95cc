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
import { msg } from '../../i18n/translator.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { ButtonForm, Layout, Notice, renderPage, Rich } from '../../ui/render.tsx';
import { seeOther } from '../../http/redirect.ts';

const linkQuery = z.object({ token: tokenField });

export const showInvitation = defineRoute('GET /my/invitations', { guards: [signedIn], input: { query: linkQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  const invitation = await ctx.state.services.databases.invitationByToken(query.token);
  if (!invitation) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
  const matches = invitation.login.toLowerCase() === account.email.toLowerCase();
  const { database, login } = invitation;
  html(ctx, renderPage(
    <Layout t={t} title={t('Invitation to {{database}}', { database: database.name })} user={account} active="databases">
      <h1>{t('Join {{database}}?', { database: database.name })}</h1>
      <section>
        <p>
          <Rich t={t} key_="{{database}} ({{url}}) invites {{login}}." parts={{ database: database.name, url: database.url, login: <strong>{login}</strong> }} />
          {' '}{t('You will sign in to it as {{login}}.', { login })}
        </p>
        {!matches && <Notice kind="error">{t('This invitation is for {{login}}, but you are signed in as {{email}}. Sign in with the account that has this address, or create one.', { login, email: account.email })}</Notice>}
        {matches && !account.emailVerifiedAt && <Notice kind="error">{t('Confirm your email address first: open the link we mailed you, then come back.')}</Notice>}
        {matches && account.emailVerifiedAt && (
          <div class="actions">
            <ButtonForm action={`/my/invitations/${invitation.id}/accept`} csrf={ctx.state.csrfToken}>{t('Accept')}</ButtonForm>
            <ButtonForm action={`/my/invitations/${invitation.id}/decline`} csrf={ctx.state.csrfToken} kind="secondary">{t('Decline')}</ButtonForm>
          </div>
        )}
      </section>
    </Layout>,
  ));
});

const answered = msg('This invitation was withdrawn, already answered or has expired.');
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
