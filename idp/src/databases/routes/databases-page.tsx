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
import { DatabaseCredentials } from './database-credentials.tsx';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';

const createSchema = z.object({ name: databaseNameField, url: databaseUrlField });

/** Messages shown after an action redirects back here (`?notice=`); nothing else from the URL is echoed. */
export const databaseNotices: Record<string, string> = {
  joined: 'You joined the database. Open it from the list below.',
  declined: 'You declined the invitation.',
  left: 'You left the database.',
  deleted: 'The database was deleted.',
  transferred: 'You transferred the ownership.',
  invited: 'The invitation was sent.',
  removed: 'The member was removed.',
  settings_saved: 'The advanced settings were saved.',
};

/** `?notice=`: anything but a known word is ignored, never refused. */
export const noticeQuery = z.object({ notice: z.string().max(40).optional().catch(undefined) });

export function noticeOf(notice: string | undefined): string | undefined {
  return notice !== undefined && Object.hasOwn(databaseNotices, notice) ? databaseNotices[notice] : undefined;
}

interface ListProps {
  account: Account;
  csrf: string;
  memberships: MembershipView[];
  notice?: string;
  error?: string;
  fields?: Record<string, string>;
  values?: { name?: string; url?: string };
}

function listView(p: ListProps): string {
  const invitations = p.memberships.filter((m) => m.status === 'invited');
  const active = p.memberships.filter((m) => m.status === 'active');
  return renderPage(
    <Layout title="Databases" user={p.account} active="databases">
      <h1>Databases</h1>
      {p.notice && <Notice kind="success">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {invitations.length > 0 && (
        <section aria-labelledby="invitations">
          <h2 id="invitations">Invitations</h2>
          <ul>
            {invitations.map((m) => (
              <li key={m.id} class="invitation">
                <strong>{m.database.name}</strong> ({m.database.url}) invites <strong>{m.login}</strong>.
                <div class="actions">
                  <form method="post" action={`/my/invitations/${m.id}/accept`}>
                    <CsrfField token={p.csrf} />
                    <button type="submit">Accept</button>
                  </form>
                  <form method="post" action={`/my/invitations/${m.id}/decline`}>
                    <CsrfField token={p.csrf} />
                    <button type="submit" class="secondary">Decline</button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="mine">
        <h2 id="mine">Your databases</h2>
        {active.length === 0 ? (
          <p>You do not own or belong to any database yet.</p>
        ) : (
          <table>
            <thead><tr><th>Name</th><th>URL</th><th>Role</th><th>Sign-in login</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {active.map((m) => (
                <tr key={m.id}>
                  <td><a href={`/my/databases/${m.database.id}`}>{m.database.name}</a></td>
                  <td>{m.database.url}</td>
                  <td>{m.role === 'owner' ? 'Owner' : 'Member'}</td>
                  <td>{m.login}</td>
                  <td><a class="button" href={m.openUrl}>Open</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint">You sign in to each database with its sign-in login and your account password. Changing your account email does not change a sign-in login.</p>
      </section>
      <section aria-labelledby="create">
        <h2 id="create">Create a database</h2>
        <form method="post" action="/my/databases">
          <CsrfField token={p.csrf} />
          <Field name="name" label="Name" value={p.values?.name} error={p.fields?.name} maxLength={63} />
          <Field name="url" label="URL" type="url" value={p.values?.url} error={p.fields?.url} hint="The address of the database, like https://acme.example.com." />
          <button type="submit">Create database</button>
        </form>
      </section>
    </Layout>,
  );
}

export const showDatabases = defineRoute('GET /my/databases', { guards: [signedIn], input: { query: noticeQuery } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  html(ctx, listView({ account, csrf: ctx.state.csrfToken, memberships: await ctx.state.services.databases.listForAccount(account), notice: noticeOf(query.notice) }));
});

export const createDatabase = defineRoute('POST /my/databases', {
  guards: [signedIn],
  input: { body: createSchema },
  rerender: async (ctx, error) => {
    const { account } = portalOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = { name: typeof body.name === 'string' ? body.name.slice(0, 63) : undefined, url: typeof body.url === 'string' ? body.url.slice(0, 2000) : undefined };
    html(ctx, listView({
      account, csrf: ctx.state.csrfToken, memberships: await ctx.state.services.databases.listForAccount(account), values,
      fields: error.fields, error: error.message,
    }));
  },
}, async (ctx, { body }, deps) => {
  const { account } = portalOf(ctx);
  const created = await ctx.state.services.databases.create(account.id, {
    name: body.name,
    url: body.url,
    redirectUris: [`${body.url}/callback`],
    postLogoutRedirectUris: [`${body.url}/`],
    backchannelLogoutUri: `${body.url}/backchannel-logout`,
    tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId: account.id });
  html(ctx, renderPage(
    <Layout title="Database created" user={account} active="databases">
      <h1>{created.database.name} is ready</h1>
      <Notice kind="success">You own {created.database.name}. You sign in to it as {account.email}.</Notice>
      <DatabaseCredentials database={created.database} clientId={created.clientId} clientSecret={created.clientSecret} issuer={deps.issuer} />
    </Layout>,
  ), 201);
});
