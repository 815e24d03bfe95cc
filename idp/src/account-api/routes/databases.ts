/**
 * GET /api/v1/databases: every database the account is a member of or invited to (`DatabaseSummary[]`);
 * for a key limited to some databases, only those.
 */
import { ACCOUNT_API_PREFIX, type DatabaseSummary } from '../../../../shared/account-api.ts';
import { defineRoute } from '../../http/route.ts';
import { apiCaller, apiCsrf } from './authenticate.ts';

export const listDatabases = defineRoute(`GET ${ACCOUNT_API_PREFIX}/databases`, { guards: [apiCaller('read')], csrf: apiCsrf }, async (ctx) => {
  const { services } = ctx.state;
  const caller = ctx.state.apiCaller!;
  const account = (await services.accounts.findById(caller.accountId))!;
  const limitedTo = caller.via === 'api_key' ? caller.databases : null;
  const visible = (await services.databases.listForAccount(account)).filter((m) => limitedTo === null || limitedTo.includes(m.database.id));
  const databases: DatabaseSummary[] = visible.map((m) => ({
    id: m.database.id, name: m.database.name, url: m.database.url, role: m.role, status: m.status, login: m.login, openUrl: m.openUrl,
  }));
  ctx.body = databases;
});
