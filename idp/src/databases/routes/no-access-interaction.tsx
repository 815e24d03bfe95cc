/**
 * The `database_access` prompt: a signed-in account that is not a member of the database asking. The
 * page says so; its one button returns `access_denied` to the database. (GET is in show.ts.)
 */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import type { Translate } from '../../i18n/translator.ts';
import { ButtonForm, Layout, Notice, renderPage, Rich } from '../../ui/render.tsx';
import { DATABASE_ACCESS_PROMPT } from '../oidc-glue.ts';
import { finishInteraction, interaction, interactionOf } from '../../oidc/interactions/details.ts';

export function noAccessView(p: { t: Translate; uid: string; csrf: string; databaseName: string; email?: string }): string {
  const { t } = p;
  const database = p.databaseName;
  return renderPage(
    <Layout t={t} title={t('No access to this database')}>
      <h1>{t('No access to {{database}}', { database })}</h1>
      <Notice kind="error">
        {p.email ? t('Your account {{email}} is not a member of {{database}}.', { email: p.email, database }) : t('Your account is not a member of {{database}}.', { database })}
      </Notice>
      <section>
        <p><Rich t={t} key_="Ask the owner of {{database}} to invite you with your account's email address. Invitations appear under {{databases}} once you accept them."
          parts={{ database, databases: <a href="/my/databases">{t('Databases')}</a> }} /></p>
        <p><Rich t={t} key_="If another of your accounts is a member, {{logOut}} and sign in with that one." parts={{ logOut: <a href="/session/end">{t('log out')}</a> }} /></p>
        <ButtonForm action={`/interaction/${p.uid}/no-access`} csrf={p.csrf}>{t('Return to {{database}}', { database })}</ButtonForm>
      </section>
    </Layout>,
  );
}

export const refuseDatabaseAccess = defineRoute('POST /interaction/:uid/no-access', { guards: [interaction], input: { body: buttonForm } }, async (ctx) => {
  const { provider, details } = interactionOf(ctx);
  const description = details.prompt.name === DATABASE_ACCESS_PROMPT ? 'the account is not a member of this database' : 'nothing to refuse';
  await finishInteraction(ctx, provider, { error: details.prompt.name === DATABASE_ACCESS_PROMPT ? 'access_denied' : 'invalid_request', error_description: description }, false);
});
