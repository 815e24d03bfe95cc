/**
 * What the suites that walk the whole route table (route-table.test.ts, fuzz.test.ts) need on one
 * account: a database it owns (and that membership's id), an API key, and a client-credentials token
 * of the database for the database API.
 */
import { expect } from 'vitest';
import type { TestIdp } from './idp.ts';

export interface RouteFixtures {
  databaseId: string;
  membershipId: string;
  apiKey: string;
  databaseToken: string;
}

export async function seedRouteFixtures(idp: TestIdp, accountId: string, options: { host: string; name: string; backchannel?: boolean }): Promise<RouteFixtures> {
  const { databases, apiKeys } = idp.services;
  const url = `https://${options.host}`;
  const created = await databases.create(accountId, {
    name: options.name, url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/`],
    ...(options.backchannel ? { backchannelLogoutUri: `${url}/backchannel-logout` } : {}), tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId });
  const membership = (await databases.members(created.database.id))[0]!;
  await apiKeys.enableDeveloperMode(accountId, { actor: accountId });
  const apiKey = (await apiKeys.create(accountId, { description: options.name, duration: '1d', scope: 'read-write', databases: null }, { actor: accountId })).secret;
  const token = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${created.clientId}:${created.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${idp.issuer}/database-api`, scope: 'members:read members:write' }),
  });
  expect(token.status).toBe(200);
  const databaseToken = ((await token.json()) as { access_token: string }).access_token;
  return { databaseId: created.database.id, membershipId: membership.id, apiKey, databaseToken };
}
