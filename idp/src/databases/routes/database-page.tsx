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
import { AppError, isAppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { DatabaseCredentials } from './database-credentials.tsx';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { databaseNotices } from './databases-page.tsx';
import type { DatabaseClientSettings } from '../client-metadata.ts';
import { AdvancedSettings } from './database-advanced.tsx';

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const transferSchema = z.object({ member: z.string({ error: 'Choose the new owner.' }).regex(idPattern, 'Choose the new owner.') });
const deleteSchema = z.object({ confirm: z.string({ error: 'Type the name of the database to confirm.' }).trim().min(1, 'Type the name of the database to confirm.').max(100) });

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
      <section aria-labelledby="about">
        <h2 id="about">About</h2>
        <dl>
          <dt>URL</dt><dd>{database.url}</dd>
          <dt>Your role</dt><dd>{owner ? 'Owner' : 'Member'}</dd>
          <dt>Your sign-in login</dt><dd>{membership.login}</dd>
          {owner && <><dt>Client ID</dt><dd><code>{database.clientId}</code></dd></>}
        </dl>
        <p class="hint">Only support can change a sign-in login; changing your account email does not.</p>
        <p><a class="button" href={openUrlOf(database)}>Open {database.name}</a></p>
      </section>
      {owner && (
        <section aria-labelledby="members">
          <h2 id="members">Members</h2>
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
                      <form method="post" action={action(`members/${m.id}/remove`)}>
                        <CsrfField token={p.csrf} />
                        <button type="submit" class="secondary">{m.status === 'invited' ? 'Withdraw' : 'Remove'}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Invite someone</h3>
          <form method="post" action={action('invite')}>
            <CsrfField token={p.csrf} />
            <Field name="email" label="Email" type="email" error={p.fields?.email} hint="They sign in to this database with this address." />
            <button type="submit">Send invitation</button>
          </form>
        </section>
      )}
      {owner && (
        <section aria-labelledby="transfer">
          <h2 id="transfer">Transfer ownership</h2>
          {others.length === 0 ? <p>Invite a member first: only an active member can become the owner.</p> : (
            <form method="post" action={action('transfer')}>
              <CsrfField token={p.csrf} />
              <div class="field">
                <label for="f-member">New owner</label>
                <select id="f-member" name="member" aria-invalid={p.fields?.member ? 'true' : undefined}>
                  {others.map((m) => <option key={m.id} value={m.id}>{m.login}</option>)}
                </select>
                {p.fields?.member && <p class="field-error">{p.fields.member}</p>}
              </div>
              <button type="submit">Transfer ownership</button>
            </form>
          )}
        </section>
      )}
      {owner && (
        <section aria-labelledby="secret">
          <h2 id="secret">Client secret</h2>
          <p>Regenerating the secret stops the old one at once: update the database's configuration right after.</p>
          <form method="post" action={action('secret')}>
            <CsrfField token={p.csrf} />
            <button type="submit" class="secondary">Regenerate the client secret</button>
          </form>
        </section>
      )}
      {owner && p.settings && <AdvancedSettings databaseId={database.id} csrf={p.csrf} settings={p.settings} fields={p.fields} />}
      {owner && (
        <section aria-labelledby="delete">
          <h2 id="delete">Delete the database</h2>
          <p>Nobody can sign in to {database.name} with this account service any more. This cannot be undone.</p>
          <form method="post" action={action('delete')}>
            <CsrfField token={p.csrf} />
            <Field name="confirm" label={`Type ${database.name} to confirm`} error={p.fields?.confirm} autocomplete="off" />
            <button type="submit" class="danger">Delete {database.name}</button>
          </form>
        </section>
      )}
      {!owner && (
        <section aria-labelledby="leave">
          <h2 id="leave">Leave</h2>
          <p>You will no longer be able to sign in to {database.name}.</p>
          <form method="post" action={action('leave')}>
            <CsrfField token={p.csrf} />
            <button type="submit" class="danger">Leave {database.name}</button>
          </form>
        </section>
      )}
    </Layout>,
  );
}

async function render(ctx: AppContext, extra: { notice?: string; error?: string; fields?: Record<string, string> } = {}, status = 200): Promise<void> {
  const { account } = ctx.state.portal!;
  const view = await ctx.state.services.databases.view(ctx.params.id!, account.id);
  const settings = view.membership.role === 'owner' ? await ctx.state.services.databases.clientSettings(view.database.id, { kind: 'account', accountId: account.id }) : undefined;
  html(ctx, databaseView({ account, csrf: ctx.state.csrfToken, ...view, settings, ...extra }), status);
}

/** Runs an action; on a user error re-renders the page with the message (or the error page if the database is gone). */
export async function act(ctx: AppContext, fn: () => Promise<void> | void): Promise<void> {
  try {
    if (!idPattern.test(ctx.params.id ?? '')) throw new AppError('not_found', 'This database does not exist, or you are not a member of it.');
    await fn();
  } catch (error) {
    if (!isAppError(error) || error.status >= 500 || error.status === 404) throw error;
    await render(ctx, { error: error.message, fields: error.fields }, error.status);
  }
}

function done(ctx: AppContext, to: string): void {
  ctx.status = 303;
  ctx.redirect(to);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  const guard = [noStore, requireAccount(deps)] as const;
  const actor = (ctx: AppContext) => ({ kind: 'account' as const, accountId: ctx.state.portal!.account.id });

  router.get('/my/databases/:id', ...guard, async function showDatabase(ctx) {
    if (!idPattern.test(ctx.params.id ?? '')) throw new AppError('not_found', 'This database does not exist, or you are not a member of it.');
    const notice = typeof ctx.query.notice === 'string' ? databaseNotices[ctx.query.notice] : undefined;
    await render(ctx, { notice });
  });

  router.post('/my/databases/:id/invite', ...guard, async function inviteMember(ctx) {
    await act(ctx, async () => {
      const input = parseBody(ctx, inviteSchema);
      await ctx.state.services.databases.invite(ctx.params.id!, input.email, actor(ctx));
      done(ctx, `/my/databases/${ctx.params.id}?notice=invited`);
    });
  });

  router.post('/my/databases/:id/members/:member/remove', ...guard, async function removeMember(ctx) {
    await act(ctx, async () => {
      await ctx.state.services.databases.removeMember(ctx.params.id!, String(ctx.params.member), actor(ctx));
      done(ctx, `/my/databases/${ctx.params.id}?notice=removed`);
    });
  });

  router.post('/my/databases/:id/transfer', ...guard, async function transferOwnership(ctx) {
    await act(ctx, async () => {
      const input = parseBody(ctx, transferSchema);
      await withRecentAuth(ctx, 'transfer the ownership of this database', async () => {
        await ctx.state.services.databases.transferOwnership(ctx.params.id!, input.member, actor(ctx));
        done(ctx, `/my/databases/${ctx.params.id}?notice=transferred`);
      });
    });
  });

  router.post('/my/databases/:id/secret', ...guard, async function regenerateSecret(ctx) {
    await act(ctx, () => withRecentAuth(ctx, 'regenerate the client secret', async () => {
      const { account } = ctx.state.portal!;
      const { clientId, clientSecret } = await ctx.state.services.databases.regenerateSecret(ctx.params.id!, actor(ctx));
      const database = (await ctx.state.services.databases.findById(ctx.params.id!))!;
      html(ctx, renderPage(
        <Layout title="New client secret" user={account} active="databases">
          <h1>New client secret for {database.name}</h1>
          <DatabaseCredentials database={database} clientId={clientId} clientSecret={clientSecret} issuer={deps.issuer} />
        </Layout>,
      ));
    }));
  });

  router.post('/my/databases/:id/delete', ...guard, async function deleteDatabase(ctx) {
    await act(ctx, async () => {
      const input = parseBody(ctx, deleteSchema);
      await withRecentAuth(ctx, 'delete this database', async () => {
        await ctx.state.services.databases.delete(ctx.params.id!, input.confirm, actor(ctx));
        done(ctx, '/my/databases?notice=deleted');
      });
    });
  });

  router.post('/my/databases/:id/leave', ...guard, async function leaveDatabase(ctx) {
    await act(ctx, async () => {
      await ctx.state.services.databases.leave(ctx.params.id!, ctx.state.portal!.account);
      done(ctx, '/my/databases?notice=left');
    });
  });
}
