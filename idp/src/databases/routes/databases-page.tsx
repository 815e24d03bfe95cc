/**
 * /my/databases: the database manager. Lists every database the account owns or belongs to (with the
 * sign-in login of each membership and an "Open" link that starts single sign-on there), pending
 * invitations to its confirmed email, and the form that creates a database.
 */
import { z } from 'zod';
import type { Account } from '../../accounts/types.ts';
import type { MembershipView } from '../database-service.ts';
import { databaseNameField, databaseUrlField } from '../schemas.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { msg, type PlainKey, type Translate } from '../../i18n/translator.ts';
import { DatabaseCredentials } from './database-credentials.tsx';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { ButtonForm, Field, Layout, Notice, PostForm, renderPage, Rich } from '../../ui/render.tsx';

const createSchema = z.object({ name: databaseNameField, url: databaseUrlField });

/** Messages shown after an action redirects back here (`?notice=`); nothing else from the URL is echoed. */
export const databaseNotices: Record<string, PlainKey> = {
  joined: msg('You joined the database. Open it from the list below.'),
  declined: msg('You declined the invitation.'),
  left: msg('You left the database.'),
  deleted: msg('The database was deleted.'),
  transferred: msg('You transferred the ownership.'),
  invited: msg('The invitation was sent.'),
  removed: msg('The member was removed.'),
  settings_saved: msg('The advanced settings were saved.'),
};

/** `?notice=`: anything but a known word is ignored, never refused. */
export const noticeQuery = z.object({ notice: z.string().max(40).optional().catch(undefined) });

/** The notice in `t`'s language (the request's `ctx.state.t`). */
export function noticeOf(notice: string | undefined, t: Translate): string | undefined {
  return notice !== undefined && Object.hasOwn(databaseNotices, notice) ? t(databaseNotices[notice]!) : undefined;
}

interface ListProps {
  /** The request's translation (`ctx.state.t`). */
  t: Translate;
  account: Account;
  csrf: string;
  memberships: MembershipView[];
  notice?: string;
  error?: string;
  fields?: Record<string, string>;
  values?: { name?: string; url?: string };
}

function listView(p: ListProps): string {
  const { t } = p;
  const invitations = p.memberships.filter((m) => m.status === 'invited');
  const active = p.memberships.filter((m) => m.status === 'active');
  return renderPage(
    <Layout t={t} title={t('Databases')} user={p.account} active="databases">
      <h1>{t('Databases')}</h1>
      {p.notice && <Notice kind="success">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {invitations.length > 0 && (
        <section aria-labelledby="invitations">
          <h2 id="invitations">{t('Invitations')}</h2>
          <ul>
            {invitations.map((m) => (
              <li key={m.id} class="invitation">
                <Rich t={t} key_="{{database}} ({{url}}) invites {{login}}."
                  parts={{ database: <strong>{m.database.name}</strong>, url: m.database.url, login: <strong>{m.login}</strong> }} />
                <div class="actions">
                  <ButtonForm action={`/my/invitations/${m.id}/accept`} csrf={p.csrf}>{t('Accept')}</ButtonForm>
                  <ButtonForm action={`/my/invitations/${m.id}/decline`} csrf={p.csrf} kind="secondary">{t('Decline')}</ButtonForm>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="mine">
        <h2 id="mine">{t('Your databases')}</h2>
        {active.length === 0 ? (
          <p>{t('You do not own or belong to any database yet.')}</p>
        ) : (
          <table>
            <thead><tr><th>{t('Name')}</th><th>{t('URL')}</th><th>{t('Role')}</th><th>{t('Sign-in login')}</th><th><span class="visually-hidden">{t('Actions')}</span></th></tr></thead>
            <tbody>
              {active.map((m) => (
                <tr key={m.id}>
                  <td><a href={`/my/databases/${m.database.id}`}>{m.database.name}</a></td>
                  <td>{m.database.url}</td>
                  <td>{m.role === 'owner' ? t('Owner') : t('Member')}</td>
                  <td>{m.login}</td>
                  <td><a class="button" href={m.openUrl}>{t('Open')}</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint">{t('You sign in to each database with its sign-in login and your account password. Changing your account email does not change a sign-in login.')}</p>
      </section>
      <section aria-labelledby="create">
        <h2 id="create">{t('Create a database')}</h2>
        <PostForm action="/my/databases" csrf={p.csrf}>
          <Field name="name" label={t('Name')} value={p.values?.name} error={p.fields?.name} maxLength={63} />
          <Field name="url" label={t('URL')} type="url" value={p.values?.url} error={p.fields?.url} hint={t('The address of the database, like https://acme.example.com.')} />
          <button type="submit">{t('Create database')}</button>
        </PostForm>
      </section>
    </Layout>,
  );
}

export const showDatabases = defineRoute('GET /my/databases', { guards: [signedIn], input: { query: noticeQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  html(ctx, listView({ t, account, csrf: ctx.state.csrfToken, memberships: await ctx.state.services.databases.listForAccount(account), notice: noticeOf(query.notice, t) }));
});

export const createDatabase = defineRoute('POST /my/databases', {
  guards: [signedIn],
  input: { body: createSchema },
  rerender: async (ctx, error) => {
    const { account } = portalOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = { name: typeof body.name === 'string' ? body.name.slice(0, 63) : undefined, url: typeof body.url === 'string' ? body.url.slice(0, 2000) : undefined };
    html(ctx, listView({
      t: ctx.state.t, account, csrf: ctx.state.csrfToken, memberships: await ctx.state.services.databases.listForAccount(account), values,
      fields: error.fields, error: error.message,
    }));
  },
}, async (ctx, { body }, deps) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  const created = await ctx.state.services.databases.create(account.id, {
    name: body.name,
    url: body.url,
    redirectUris: [`${body.url}/callback`],
    postLogoutRedirectUris: [`${body.url}/`],
    backchannelLogoutUri: `${body.url}/backchannel-logout`,
    tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId: account.id });
  html(ctx, renderPage(
    <Layout t={t} title={t('Database created')} user={account} active="databases">
      <h1>{t('{{database}} is ready', { database: created.database.name })}</h1>
      <Notice kind="success">{t('You own {{database}}. You sign in to it as {{email}}.', { database: created.database.name, email: account.email })}</Notice>
      <DatabaseCredentials t={t} database={created.database} clientId={created.clientId} clientSecret={created.clientSecret} issuer={deps.issuer} />
    </Layout>,
  ), 201);
});
