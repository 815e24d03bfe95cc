/** Helpers for the activity suites: browsers behind a trusted proxy at an IP of their own, and the account API. */
import { TestBrowser } from './browser.ts';
import type { TestIdp } from './idp.ts';

export const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** A browser whose requests reach the IdP (IDP_TRUST_PROXY=true) from `ip`, with `userAgent`. */
export function browserAt(ip: string, userAgent?: string): TestBrowser {
  const browser = new TestBrowser();
  if (userAgent) browser.userAgent = userAgent;
  const request = browser.request.bind(browser);
  browser.request = (input, init = {}) => request(input, { ...init, headers: { 'x-forwarded-for': ip, ...init.headers } });
  return browser;
}

/** A request to the account API with an API key (Bearer API keys). */
export async function apiWithKey<T = { message?: string }>(idp: TestIdp, key: string, path: string, init: { method?: string; ip?: string; userAgent?: string; language?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${idp.issuer}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.ip ? { 'x-forwarded-for': init.ip } : {}),
      ...(init.userAgent ? { 'user-agent': init.userAgent } : {}),
      ...(init.language ? { 'accept-language': init.language } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Creates a read-write API key for the account (developer mode on); returns its secret. */
export async function createApiKey(idp: TestIdp, accountId: string, description = 'activity test'): Promise<{ id: string; visibleId: string; secret: string }> {
  await idp.services.apiKeys.enableDeveloperMode(accountId, { actor: accountId });
  const { key, secret } = await idp.services.apiKeys.create(accountId, { description, duration: '1m', scope: 'read-write', databases: null }, { actor: accountId });
  return { id: key.id, visibleId: key.visibleId, secret };
}

/** A database owned by the account (a confidential client), optionally with a back-channel logout URI. */
export async function createDatabaseFor(idp: TestIdp, ownerId: string, name: string, backchannelLogoutUri?: string, redirectUri = 'http://127.0.0.1:9/callback') {
  const created = await idp.services.databases.create(ownerId, {
    name, url: 'http://127.0.0.1:9', redirectUris: [redirectUri], postLogoutRedirectUris: ['http://127.0.0.1:9/'],
    backchannelLogoutUri, tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId: ownerId });
  return { id: created.database.id, clientId: created.clientId, clientSecret: created.clientSecret!, redirectUri };
}

/** RFC 7662 introspection of `token` by a database's client. */
export async function introspect(idp: TestIdp, token: string, client: { clientId: string; clientSecret: string }): Promise<Record<string, unknown>> {
  const res = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  return (await res.json()) as Record<string, unknown>;
}
