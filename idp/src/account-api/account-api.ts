/**
 * The account API route table (`/api/v1`, contract in shared/account-api.ts): every route first
 * authenticates its caller (authenticate.ts), then one file per route parses, calls a service and
 * answers JSON. Errors are `{error, message}` from the shared error handler.
 */
import { ACCOUNT_API_PREFIX } from '../../../shared/account-api.ts';
import type { AppMiddleware } from '../http/context.ts';
import type { AppRouter, RouteDeps } from '../http/router.ts';
import { authenticateApiCaller } from './authenticate.ts';
import * as status from './routes/status.ts';
import * as databases from './routes/databases.ts';
import * as devices from './routes/devices.ts';
import * as devicesLogoutOthers from './routes/devices-logout-others.ts';
import * as apiKeysList from './routes/api-keys-list.ts';
import * as apiKeyRotate from './routes/api-key-rotate.ts';
import * as apiKeyRevoke from './routes/api-key-revoke.ts';

export const accountApiRoutes = [status, databases, devices, devicesLogoutOthers, apiKeysList, apiKeyRotate, apiKeyRevoke];

export interface ApiRouteDeps extends RouteDeps {
  prefix: string;
  /** Put first on every route: sets `ctx.state.apiCaller`. */
  authenticate: AppMiddleware;
}

export function register(router: AppRouter, deps: RouteDeps): void {
  const api: ApiRouteDeps = { ...deps, prefix: ACCOUNT_API_PREFIX, authenticate: authenticateApiCaller(deps) };
  for (const route of accountApiRoutes) route.register(router, api);
}
