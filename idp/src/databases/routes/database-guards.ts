/**
 * The database manager's role guard: a route under /my/databases/:id that only the owner may use says so
 * in its declaration. It runs after the route params are read (a `confirm` guard) and before the
 * recent-sign-in guard, so nobody is asked for a password for a database they cannot change. The
 * services keep their own check (`requireManager`): the operator command and the database API reach
 * them without this guard.
 */
import { AppError } from '../../errors.ts';
import { defineGuard } from '../../http/route.ts';
import { msg } from '../../i18n/translator.ts';
import { portalOf } from '../../portal/portal-session.ts';

const gone = msg('This database does not exist, or you are not a member of it.');

export const databaseOwner = defineGuard('database-owner', async (ctx) => {
  const id = ctx.state.routeParams.id;
  const found = id ? await ctx.state.services.databases.roleOf(id, portalOf(ctx).account.id) : undefined;
  if (!found) throw new AppError('not_found', gone);
  if (found.role !== 'owner') throw new AppError('forbidden', 'Only the owner of {{database}} can do this.', { params: { database: found.databaseName } });
  return true;
}, 'confirm');
