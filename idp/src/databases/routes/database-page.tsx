/**
 * /my/databases/:id: one database. The owner sees its members and can invite by email, remove a member,
 * transfer the ownership, regenerate the client secret and delete the database (typed confirmation);
 * a member sees its own sign-in login and can leave. Every action answers with a redirect on success
 * and this page with the error otherwise.
 */
import { z } from 'zod';
import type { Account } from '../../accounts/types.ts';
import type { MemberView } from '../database-service.ts';
import { openUrlOf } from '../database-service.ts';
import { inviteSchema } from '../schemas.ts';
import type { Database, Membership } from '../types.ts';
import type { AppContext } from '../../http/context.ts';
import { buttonForm } from '../../fields.ts';
import { defineRoute, type Guard, type InputSchemas, type Handler, type Rerender, type Route } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { DatabaseCredentials } from './database-credentials.tsx';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { databaseOwner } from './database-guards.ts';
import { Field, Layout, Notice, PostForm, renderPage, Section, Select } from '../../ui/render.tsx';
import { noticeOf, noticeQuery } from './databases-page.tsx';
import type { DatabaseClientSettings } from '../client-metadata.ts';
import { advancedFormSchema, AdvancedSettings } from './database-advanced.tsx';
import { databaseUpdateSchema } from '../schemas.ts';
import { parseInput } from '../../http/validate.ts';
import { seeOther } from '../../http/redirect.ts';
import { msg, type Translate } from '../../i18n/translator.ts';

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const chooseOwner = msg('Choose the new owner.');
const typeName = msg('Type the name of the database to confirm.');
const transferSchema = z.object({ member: z.string({ error: chooseOwner }).regex(idPattern, chooseOwner) });
const deleteSchema = z.object({ confirm: z.string({ error: typeName }).trim().min(1, typeName).max(100, msg('That is not the name of this database.')) });

interface PageProps {
  /** The request's translation (`ctx.state.t`). */
  t: Translate;
  account: Account;
  csrf: string;
  database: Database;
  membership: Membership;
  members: MemberView[];
  /** The owner's view only. */
  settings?: DatabaseClientSettings;
  /** A catalog key (databaseNotices), translated here. */
  notice?: string;
  error?: string;
  fields?: Record<string, string>;
}

function databaseView(p: PageProps): string {
  const { t, database, membership } = p;
  const name = { database: database.name };
  const roleOf = (role: string) => (role === 'owner' ? t('Owner') : t('Member'));
  const owner = membership.role === 'owner';
  const others = p.members.filter((m) => m.role !== 'owner' && m.status === 'active');
  const action = (what: string) => `/my/databases/${database.id}/${what}`;
  return renderPage(
    <Layout t={t} title={database.name} user={p.account} active="databases">
      <h1>{database.name}</h1>
      {p.notice && <Notice kind="success">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <Section id="about" title={t('About')}>
        <dl>
          <dt>{t('URL')}</dt><dd>{database.url}</dd>
          <dt>{t('Your role')}</dt><dd>{roleOf(membership.role)}</dd>
          <dt>{t('Your sign-in login')}</dt><dd>{membership.login}</dd>
          {owner && <><dt>{t('Client ID')}</dt><dd><code>{database.clientId}</code></dd></>}
        </dl>
        <p class="hint">{t('Only support can change a sign-in login; changing your account email does not.')}</p>
        <p><a class="button" href={openUrlOf(database)}>{t('Open {{database}}', name)}</a></p>
      </Section>
      {owner && (
        <Section id="members" title={t('Members')}>
          <table>
            <thead><tr><th>{t('Sign-in login')}</th><th>{t('Name')}</th><th>{t('Role')}</th><th>{t('Status')}</th><th><span class="visually-hidden">{t('Actions')}</span></th></tr></thead>
            <tbody>
              {p.members.map((m) => (
                <tr key={m.id}>
                  <td>{m.login}</td>
                  <td>{m.name ?? ''}</td>
                  <td>{roleOf(m.role)}</td>
                  <td>{m.status === 'invited' ? t('Invited') : t('Active')}</td>
                  <td>
                    {m.role !== 'owner' && (
                      <PostForm action={action(`members/${m.id}/remove`)} csrf={p.csrf}>
                        <button type="submit" class="secondary">{m.status === 'invited' ? t('Withdraw') : t('Remove')}</button>
                      </PostForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('Invite someone')}</h3>
          <PostForm action={action('invite')} csrf={p.csrf}>
            <Field name="email" label={t('Email')} type="email" error={p.fields?.email} hint={t('They sign in to this database with this address.')} />
            <button type="submit">{t('Send invitation')}</button>
          </PostForm>
        </Section>
      )}
      {owner && (
        <Section id="transfer" title={t('Transfer ownership')}>
          {others.length === 0 ? <p>{t('Invite a member first: only an active member can become the owner.')}</p> : (
            <PostForm action={action('transfer')} csrf={p.csrf}>
              <Select name="member" label={t('New owner')} options={others.map((m) => [m.id, m.login] as const)} error={p.fields?.member} />
              <button type="submit">{t('Transfer ownership')}</button>
            </PostForm>
          )}
        </Section>
      )}
      {owner && (
        <Section id="secret" title={t('Client secret')}>
          <p>{t("Regenerating the secret stops the old one at once: update the database's configuration right after.")}</p>
          <PostForm action={action('secret')} csrf={p.csrf}>
            <button type="submit" class="secondary">{t('Regenerate the client secret')}</button>
          </PostForm>
        </Section>
      )}
      {owner && p.settings && <AdvancedSettings t={t} databaseId={database.id} csrf={p.csrf} settings={p.settings} fields={p.fields} />}
      {owner && (
        <Section id="delete" title={t('Delete the database')}>
          <p>{t('Nobody can sign in to {{database}} with this account service any more. This cannot be undone.', name)}</p>
          <PostForm action={action('delete')} csrf={p.csrf}>
            <Field name="confirm" label={t('Type {{database}} to confirm', name)} error={p.fields?.confirm} autocomplete="off" />
            <button type="submit" class="danger">{t('Delete {{database}}', name)}</button>
          </PostForm>
        </Section>
      )}
      {!owner && (
        <Section id="leave" title={t('Leave')}>
          <p>{t('You will no longer be able to sign in to {{database}}.', name)}</p>
          <PostForm action={action('leave')} csrf={p.csrf}>
            <button type="submit" class="danger">{t('Leave {{database}}', name)}</button>
          </PostForm>
        </Section>
      )}
    </Layout>,
  );
}

const gone = msg('This database does not exist, or you are not a member of it.');
const noMember = msg('This member does not exist.');
const databaseParams = z.object({ id: z.string({ error: gone }).regex(idPattern, gone) });
const memberParams = databaseParams.extend({ member: z.string({ error: noMember }).regex(idPattern, noMember) });

async function render(ctx: AppContext, databaseId: string, extra: { notice?: string; error?: string; fields?: Record<string, string> } = {}, status = 200): Promise<void> {
  const { account } = portalOf(ctx);
  const view = await ctx.state.services.databases.view(databaseId, account.id);
  const settings = view.membership.role === 'owner' ? await ctx.state.services.databases.clientSettings(view.database.id, { kind: 'account', accountId: account.id }) : undefined;
  html(ctx, databaseView({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, ...view, settings, ...extra }), status);
}

/** A user error re-renders the page with the message; a database that is gone (404) gets the error page. */
const rerender: Rerender<InputSchemas> = async (ctx, error, input) => {
  if (error.status === 404 || !input.params) throw error;
  await render(ctx, ctx.state.routeParams.id!, { error: error.message, fields: error.fields });
};

const actor = (ctx: AppContext) => ({ kind: 'account' as const, accountId: portalOf(ctx).account.id });
const page = (what: string): `/${string}` => `/my/databases/:id${what}`;

export const showDatabase = defineRoute(`GET ${page('')}`, { guards: [signedIn], input: { params: databaseParams, query: noticeQuery }, paramsError: 'not_found' }, async (ctx, { params, query }) => {
  await render(ctx, params.id, { notice: noticeOf(query.notice, ctx.state.t) });
});

/**
 * A POST on one database's page (/my/databases/:id/...): the params name the database (a bad id is
 * `not_found`, default `databaseParams`) and a 4xx draws this page again with the message.
 */
function databaseAction<B extends z.ZodType, P extends z.ZodType = typeof databaseParams>(
  subpath: string,
  options: { guards: readonly Guard[]; params?: P; body: B },
  handler: Handler<{ params: P; body: B }>,
): Route {
  const input = { params: (options.params ?? databaseParams) as P, body: options.body };
  return defineRoute(`POST ${page(subpath)}`, { guards: options.guards, input, paramsError: 'not_found', rerender }, handler);
}

/** The page that shows a database's new client secret, once. */
function newSecretPage(ctx: AppContext, database: Database, clientId: string, clientSecret: string, issuer: string): void {
  const { t } = ctx.state;
  html(ctx, renderPage(
    <Layout t={t} title={t('New client secret')} user={portalOf(ctx).account} active="databases">
      <h1>{t('New client secret for {{database}}', { database: database.name })}</h1>
      <DatabaseCredentials t={t} database={database} clientId={clientId} clientSecret={clientSecret} issuer={issuer} />
    </Layout>,
  ));
}

export const inviteMember = databaseAction('/invite', { guards: [signedIn, databaseOwner], body: inviteSchema }, async (ctx, { params, body }) => {
  await ctx.state.services.databases.invite(params.id, body.email, actor(ctx));
  seeOther(ctx, `/my/databases/${params.id}?notice=invited`);
});

export const removeMember = databaseAction('/members/:member/remove', { guards: [signedIn, databaseOwner], params: memberParams, body: buttonForm }, async (ctx, { params }) => {
  await ctx.state.services.databases.removeMember(params.id, params.member, actor(ctx));
  seeOther(ctx, `/my/databases/${params.id}?notice=removed`);
});

export const transferOwnership = databaseAction('/transfer', { guards: [signedIn, databaseOwner, recentAuth(msg('transfer the ownership of this database'))], body: transferSchema }, async (ctx, { params, body }) => {
  await ctx.state.services.databases.transferOwnership(params.id, body.member, actor(ctx));
  seeOther(ctx, `/my/databases/${params.id}?notice=transferred`);
});

export const regenerateSecret = databaseAction('/secret', { guards: [signedIn, databaseOwner, recentAuth(msg('regenerate the client secret'))], body: buttonForm }, async (ctx, { params }, deps) => {
  const { clientId, clientSecret } = await ctx.state.services.databases.regenerateSecret(params.id, actor(ctx));
  const database = (await ctx.state.services.databases.findById(params.id))!;
  newSecretPage(ctx, database, clientId, clientSecret, deps.issuer);
});

export const saveAdvancedSettings = databaseAction('/advanced', { guards: [signedIn, databaseOwner, recentAuth(msg('change the sign-in settings of this database'))], body: advancedFormSchema }, async (ctx, { params, body }, deps) => {
  const changes = parseInput(databaseUpdateSchema, body);
  const { database, clientSecret } = await ctx.state.services.databases.updateClient(params.id, changes, actor(ctx));
  if (clientSecret) newSecretPage(ctx, database, database.clientId, clientSecret, deps.issuer);
  else seeOther(ctx, `/my/databases/${database.id}?notice=settings_saved`);
});

export const deleteDatabase = databaseAction('/delete', { guards: [signedIn, databaseOwner, recentAuth(msg('delete this database'))], body: deleteSchema }, async (ctx, { params, body }) => {
  await ctx.state.services.databases.delete(params.id, body.confirm, actor(ctx));
  seeOther(ctx, '/my/databases?notice=deleted');
});

export const leaveDatabase = databaseAction('/leave', { guards: [signedIn], body: buttonForm }, async (ctx, { params }) => {
  await ctx.state.services.databases.leave(params.id, portalOf(ctx).account);
  seeOther(ctx, '/my/databases?notice=left');
});
