/**
 * The database API: what a database app may do about its own members, authenticated with an access
 * token from the client credentials grant for the resource `${issuer}/database-api` (opaque, looked up
 * in the store, so revocation is immediate). A token only ever reaches the database of its client.
 *
 *   GET    /api/database/members        members:read   -> { database, members }
 *   POST   /api/database/members        members:write  { email } -> 201 { member } (mails an invitation)
 *   DELETE /api/database/members/:id    members:write  -> 204
 *
 * Errors are `{ error, message }` with a 4xx status.
 */
import type { AppContext, AppMiddleware } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { parseBody } from '../../http/validate.ts';
import { AppError } from '../../errors.ts';
import { DATABASE_API_PATH, DATABASE_API_SCOPES } from '../oidc-glue.ts';
import { inviteSchema } from '../schemas.ts';
import type { Database, Membership } from '../types.ts';

declare module '../../http/context.ts' {
  interface AppState {
    apiDatabase?: Database;
  }
}

function memberJson(m: Membership) {
  return { id: m.id, login: m.login, role: m.role, status: m.status, createdAt: new Date(m.createdAt * 1000).toISOString() };
}

function requireDatabaseToken(deps: RouteDeps, scope: string): AppMiddleware {
  const resource = `${deps.issuer}${DATABASE_API_PATH}`;
  const challenge = (error: string) => ({ 'WWW-Authenticate': `Bearer realm="${resource}", error="${error}"` });
  return async function databaseToken(ctx, next) {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(ctx.get('Authorization'));
    if (!match) {
      throw new AppError('unauthorized', `Send an access token for ${resource} (client credentials grant) as "Authorization: Bearer <token>".`, { headers: challenge('invalid_request') });
    }
    const token = await deps.providers.get().ClientCredentials.find(match[1]!);
    const audiences = token ? [token.aud].flat() : [];
    const database = token && !token.isExpired && audiences.includes(resource) ? await ctx.state.services.databases.findByClientId(token.clientId!) : undefined;
    if (!token || !database) {
      throw new AppError('unauthorized', `The access token is invalid or expired; request a new one for ${resource}.`, { headers: challenge('invalid_token') });
    }
    if (!token.scopes.has(scope)) {
      throw new AppError('forbidden', `The access token lacks the ${scope} scope.`, { headers: challenge('insufficient_scope') });
    }
    ctx.state.apiDatabase = database;
    await next();
  };
}

export function register(router: AppRouter, deps: RouteDeps): void {
  const actor = (ctx: AppContext) => ({ kind: 'database' as const, clientId: ctx.state.apiDatabase!.clientId });

  router.get('/api/database/members', requireDatabaseToken(deps, DATABASE_API_SCOPES.read), async function listMembers(ctx) {
    const database = ctx.state.apiDatabase!;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { database: { name: database.name, url: database.url }, members: (await ctx.state.services.databases.members(database.id)).map(memberJson) };
  });

  router.post('/api/database/members', requireDatabaseToken(deps, DATABASE_API_SCOPES.write), async function inviteMember(ctx) {
    const input = parseBody(ctx, inviteSchema);
    const member = await ctx.state.services.databases.invite(ctx.state.apiDatabase!.id, input.email, actor(ctx));
    ctx.status = 201;
    ctx.body = { member: memberJson(member) };
  });

  router.delete('/api/database/members/:id', requireDatabaseToken(deps, DATABASE_API_SCOPES.write), async function removeMember(ctx) {
    await ctx.state.services.databases.removeMember(ctx.state.apiDatabase!.id, String(ctx.params.id), actor(ctx));
    ctx.status = 204;
  });
}
