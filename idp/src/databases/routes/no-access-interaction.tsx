/**
 * The `database_access` prompt: a signed-in account that is not a member of the database asking. The
 * page says so; its one button returns `access_denied` to the database. (GET is in show.ts.)
 */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { CsrfField, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { DATABASE_ACCESS_PROMPT } from '../oidc-glue.ts';
import { finishInteraction, interaction, interactionOf } from '../../oidc/interactions/details.ts';

export function noAccessView(p: { uid: string; csrf: string; databaseName: string; email?: string }): string {
  return renderPage(
    <Layout title="No access to this database">
      <h1>No access to {p.databaseName}</h1>
      <Notice kind="error">
        {p.email ? `Your account ${p.email} is not a member of ${p.databaseName}.` : `Your account is not a member of ${p.databaseName}.`}
      </Notice>
      <section>
        <p>Ask the owner of {p.databaseName} to invite you with your account's email address. Invitations appear under <a href="/my/databases">Databases</a> once you accept them.</p>
        <p>If another of your accounts is a member, <a href="/session/end">log out</a> and sign in with that one.</p>
        <form method="post" action={`/interaction/${p.uid}/no-access`}>
          <CsrfField token={p.csrf} />
          <button type="submit">Return to {p.databaseName}</button>
        </form>
      </section>
    </Layout>,
  );
}

export const refuseDatabaseAccess = defineRoute({
  method: 'POST',
  path: '/interaction/:uid/no-access',
  guards: [interaction],
  input: { body: buttonForm },
  handler: async (ctx) => {
    const { provider, details } = interactionOf(ctx);
    const description = details.prompt.name === DATABASE_ACCESS_PROMPT ? 'the account is not a member of this database' : 'nothing to refuse';
    await finishInteraction(ctx, provider, { error: details.prompt.name === DATABASE_ACCESS_PROMPT ? 'access_denied' : 'invalid_request', error_description: description }, false);
  },
});
