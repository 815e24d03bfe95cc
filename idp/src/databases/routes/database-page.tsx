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

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const transferSchema = z.object({ member: z.string({ error: 'Choose the new owner.' }).regex(idPattern, 'Choose the new owner.') });
const deleteSchema = z.object({ confirm: z.string({ error: 'Type the name of the database to confirm.' }).trim().min(1, 'Type the name of the database to confirm.').max(100, 'That is not the name of this database.') });

interface PageProps {
  account: Account;
  csrf: string;
  database: Database;
  membership: Membership;
  members: MemberView[];
  /** The owner's view only. */
  settings?: DatabaseClientSettings;
  notice?: string;
  error?: string;
  fields?: Record<string, string>;
}

function databaseView(p: PageProps): string {
  const { database, membership } = p;
  const owner = membership.role === 'owner';
  const others = p.members.filter((m) => m.role !== 'owner' && m.status === 'active');
  const action = (what: string) => `/my/databases/${database.id}/${what}`;
  return renderPage(
    <Layout title={database.name} user={p.account} active="databases">
      <h1>{database.name}</h1>
      {p.notice && <Notice kind="success">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <Section id="about" title="About">
        <dl>
          <dt>URL</dt><dd>{database.url}</dd>
          <dt>Your role</dt><dd>{owner ? 'Owner' : 'Member'}</dd>
          <dt>Your sign-in login</dt><dd>{membership.login}</dd>
          {owner && <><dt>Client ID</dt><dd><code>{database.clientId}</code></dd></>}
        </dl>
        <p class="hint">Only support can change a sign-in login; changing your account email does not.</p>
        <p><a class="button" href={openUrlOf(database)}>Open {database.name}</a></p>
      </Section>
      {owner && (
        <Section id="members" title="Members">
          <table>
            <thead><tr><th>Sign-in login</th><th>Name</th><th>Role</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {p.members.map((m) => (
                <tr key={m.id}>
                  <td>{m.login}</td>
                  <td>{m.name ?? ''}</td>
                  <td>{m.role === 'owner' ? 'Owner' : 'Member'}</td>
                  <td>{m.status === 'invited' ? 'Invited' : 'Active'}</td>
                  <td>
                    {m.role !== 'owner' && (
                      <PostForm action={action(`members/${m.id}/remove`)} csrf={p.csrf}>
                        <button type="submit" class="secondary">{m.status === 'invited' ? 'Withdraw' : 'Remove'}</button>
                      </PostForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Invite someone</h3>
          <PostForm action={action('invite')} csrf={p.csrf}>
            <Field name="email" label="Email" type="email" error={p.fields?.email} hint="They sign in to this database with this address." />
            <button type="submit">Send invitation</button>
          </PostForm>
        </Section>
      )}
      {owner && (
        <Section id="transfer" title="Transfer ownership">
          {others.length === 0 ? <p>Invite a member first: only an active member can become the owner.</p> : (
            <PostForm action={action('transfer')} csrf={p.csrf}>
              <Select name="member" label="New owner" options={others.map((m) => [m.id, m.login] as const)} error={p.fields?.member} />
              <button type="submit">Transfer ownership</button>
            </PostForm>
          )}
        </Section>
      )}
      {owner && (
        <Section id="secret" title="Client secret">
          <p>Regenerating the secret stops the old one at once: update the database's configuration right after.</p>
          <PostForm action={action('secret')} csrf={p.csrf}>
            <button type="submit" class="secondary">Regenerate the client secret</button>
          </PostForm>
        </Section>
      )}
      {owner && p.settings && <AdvancedSettings databaseId={database.id} csrf={p.csrf} settings={p.settings} fields={p.fields} />}
      {owner && (
        <Section id="delete" title="Delete the database">
          <p>Nobody can sign in to {database.name} with this account service any more. This cannot be undone.</p>
          <PostForm action={action('delete')} csrf={p.csrf}>
            <Field name="confirm" label={`Type ${database.name} to confirm`} error={p.fields?.confirm} autocomplete="off" />
            <button type="submit" class="danger">Delete {database.name}</button>
          </PostForm>
        </Section>
      )}
      {!owner && (
        <Section id="leave" title="Leave">
          <p>You will no longer be able to sign in to {database.name}.</p>
          <PostForm action={action('leave')} csrf={p.csrf}>
            <button type="submit" class="danger">Leave {database.name}</button>
          </PostForm>
        </Section>
      )}
    </Layout>,
  );
}

const gone = 'This database does not exist, or you are not a member of it.';
const databaseParams = z.object({ id: z.string({ error: gone }).regex(idPattern, gone) });
const memberParams = databaseParams.extend({ member: z.string({ error: 'This member does not exist.' }).regex(idPattern, 'This member does not exist.') });

async function render(ctx: AppContext, databaseId: string, extra: { notice?: string; error?: string; fields?: Record<string, string> } = {}, status = 200): Promise<void> {
  const { account } = portalOf(ctx);
  const view = await ctx.state.services.databases.view(databaseId, account.id);
  const settings = view.membership.role === 'owner' ? await ctx.state.services.databases.clientSettings(view.database.id, { kind: 'account', accountId: account.id }) : undefined;
  html(ctx, databaseView({ account, csrf: ctx.state.csrfToken, ...view, settings, ...extra }), status);
}

/** A user error re-renders the page with the message; a database that is gone (404) gets the error page. */
const rerender: Rerender<InputSchemas> = async (ctx, error, input) => {
  if (error.status === 404 || !input.params) throw error;
  await render(ctx, ctx.state.routeParams.id!, { error: error.message, fields: error.fields });
};

const actor = (ctx: AppContext) => ({ kind: 'account' as const, accountId: portalOf(ctx).account.id });
const page = (what: string): `/${string}` => `/my/databases/:id${what}`;

export const showDatabase = defineRoute(`GET ${page('')}`, { guards: [signedIn], input: { params: databaseParams, query: noticeQuery }, paramsError: 'not_found' }, async (ctx, { params, query }) => {
  await render(ctx, params.id, { notice: noticeOf(query.notice) });
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
  html(ctx, renderPage(
    <Layout title="New client secret" user={portalOf(ctx).account} active="databases">
      <h1>New client secret for {database.name}</h1>
      <DatabaseCredentials database={database} clientId={clientId} clientSecret={clientSecret} issuer={issuer} />
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

export const transferOwnership = databaseAction('/transfer', { guards: [signedIn, databaseOwner, recentAuth('transfer the ownership of this database')], body: transferSchema }, async (ctx, { params, body }) => {
  await ctx.state.services.databases.transferOwnership(params.id, body.member, actor(ctx));
  seeOther(ctx, `/my/databases/${params.id}?notice=transferred`);
});

export const regenerateSecret = databaseAction('/secret', { guards: [signedIn, databaseOwner, recentAuth('regenerate the client secret')], body: buttonForm }, async (ctx, { params }, deps) => {
  const { clientId, clientSecret } = await ctx.state.services.databases.regenerateSecret(params.id, actor(ctx));
  const database = (await ctx.state.services.databases.findById(params.id))!;
  newSecretPage(ctx, database, clientId, clientSecret, deps.issuer);
});

export const saveAdvancedSettings = databaseAction('/advanced', { guards: [signedIn, databaseOwner, recentAuth('change the sign-in settings of this database')], body: advancedFormSchema }, async (ctx, { params, body }, deps) => {
  const changes = parseInput(databaseUpdateSchema, body);
  const { database, clientSecret } = await ctx.state.services.databases.updateClient(params.id, changes, actor(ctx));
  if (clientSecret) newSecretPage(ctx, database, database.clientId, clientSecret, deps.issuer);
  else seeOther(ctx, `/my/databases/${database.id}?notice=settings_saved`);
});

export const deleteDatabase = databaseAction('/delete', { guards: [signedIn, databaseOwner, recentAuth('delete this database')], body: deleteSchema }, async (ctx, { params, body }) => {
  await ctx.state.services.databases.delete(params.id, body.confirm, actor(ctx));
  seeOther(ctx, '/my/databases?notice=deleted');
});

export const leaveDatabase = databaseAction('/leave', { guards: [signedIn], body: buttonForm }, async (ctx, { params }) => {
  await ctx.state.services.databases.leave(params.id, portalOf(ctx).account);
  seeOther(ctx, '/my/databases?notice=left');
});
