/** GET /api/v1/databases: every database the account is a member of or invited to (`DatabaseSummary[]`). */
import { ACCOUNT_API_PREFIX, type DatabaseSummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf } from './authenticate.ts';

export const listDatabases = defineRoute({
  method: 'GET',
  path: `${ACCOUNT_API_PREFIX}/databases`,
  guards: [apiCaller('read')],
  csrf: apiCsrf,
  handler: async (ctx) => {
    const { services } = ctx.state;
    const account = (await services.accounts.findById(ctx.state.apiCaller!.accountId))!;
    const databases: DatabaseSummary[] = (await services.databases.listForAccount(account)).map((m) => ({
      id: m.database.id, name: m.database.name, url: m.database.url, role: m.role, status: m.status, login: m.login, openUrl: m.openUrl,
    }));
    ctx.body = databases;
  },
});
