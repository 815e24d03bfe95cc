/**
 * The account API (`/api/v1`, contract in shared/account-api.ts): every route first authenticates its
 * caller (the `apiCaller` guard, authenticate.ts), then one file per route parses, calls a service and
 * answers JSON. Errors are `{error, message}` from the shared error handler. Listed in route-table.ts.
 */
import { securityStatus } from './status.ts';
import { listDatabases } from './databases.ts';
import { listDevices } from './devices.ts';
import { logoutOtherDevices } from './devices-logout-others.ts';
import { listApiKeys } from './api-keys-list.ts';
import { rotateApiKey } from './api-key-rotate.ts';
import { revokeApiKey } from './api-key-revoke.ts';

export const accountApiRoutes = [securityStatus, listDatabases, listDevices, logoutOtherDevices, listApiKeys, rotateApiKey, revokeApiKey];
