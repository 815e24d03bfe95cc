/** GET /api/v1/databases: every database the account is a member of or invited to (`DatabaseSummary[]`). */
import type { DatabaseSummary } from '../../../../shared/account-api.ts';
import type { AppRouter } from '../../http/router.ts';
import type { ApiRouteDeps } from '../account-api.ts';

export function register(router: AppRouter, api: ApiRouteDeps): void {
  router.get(`${api.prefix}/databases`, api.authenticate, async function listDatabases(ctx) {
    const { services } = ctx.state;
    const account = (await services.accounts.findById(ctx.state.apiCaller!.accountId))!;
    const databases: DatabaseSummary[] = (await services.databases.listForAccount(account)).map((m) => ({
      id: m.database.id, name: m.database.name, url: m.database.url, role: m.role, status: m.status, login: m.login, openUrl: m.openUrl,
    }));
    ctx.body = databases;
  });
}
