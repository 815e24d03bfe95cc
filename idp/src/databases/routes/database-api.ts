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
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import { authorizationHeader } from '../../http/csrf.ts';
import { defineGuard, defineRoute, type Guard } from '../../http/route.ts';
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

/** The caller holds a live access token for the database API with `scope`; sets `ctx.state.apiDatabase`. */
function databaseToken(scope: string): Guard {
  return defineGuard(`database-token:${scope}`, async (ctx, deps) => {
    const resource = `${deps.issuer}${DATABASE_API_PATH}`;
    const challenge = (error: string) => ({ 'WWW-Authenticate': `Bearer realm="${resource}", error="${error}"` });
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
    return true;
  });
}

const bearerOnly = authorizationHeader('the database API authenticates by an access token in the Authorization header, never by cookie');
const apiDatabase = (ctx: AppContext): Database => ctx.state.apiDatabase!;
const actor = (ctx: AppContext) => ({ kind: 'database' as const, clientId: apiDatabase(ctx).clientId });

export const listMembers = defineRoute('GET /api/database/members', { guards: [databaseToken(DATABASE_API_SCOPES.read)], csrf: bearerOnly }, async (ctx) => {
  const database = apiDatabase(ctx);
  ctx.body = { database: { name: database.name, url: database.url }, members: (await ctx.state.services.databases.members(database.id)).map(memberJson) };
});

export const inviteMember = defineRoute('POST /api/database/members', { guards: [databaseToken(DATABASE_API_SCOPES.write)], csrf: bearerOnly, input: { body: inviteSchema } }, async (ctx, { body }) => {
  const member = await ctx.state.services.databases.invite(apiDatabase(ctx).id, body.email, actor(ctx));
  ctx.status = 201;
  ctx.body = { member: memberJson(member) };
});

export const removeMember = defineRoute('DELETE /api/database/members/:id', { guards: [databaseToken(DATABASE_API_SCOPES.write)], csrf: bearerOnly, input: { params: z.object({ id: z.string({ error: 'This member does not exist.' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'This member does not exist.') }) }, paramsError: 'not_found' }, async (ctx, { params }) => {
  await ctx.state.services.databases.removeMember(apiDatabase(ctx).id, params.id, actor(ctx));
  ctx.status = 204;
});
