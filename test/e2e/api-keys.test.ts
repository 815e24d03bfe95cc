/**
 * Developer mode and API keys over HTTP: the portal page (developer mode, create with re-authentication,
 * the secret shown once, list, rotate, revoke, turning developer mode off), the keys at a real
 * reference database (token introspection), the account API with keys, expiry by the moved clock, and a
 * key refused once its account left the database or was deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseApp, type DatabaseApp } from '../reference-database/src/app.ts';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { freePort, signInToPortal } from '../helpers/databases.ts';
import { tempDir } from '../helpers/idp.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { clock } from '../../idp/src/clock.ts';
import { runMaintenance } from '../../idp/src/maintenance.ts';
import { runIdp } from '../helpers/cli.ts';

const KEYS = '/my/security/api-keys';
const PASSWORD = 'correct horse battery';
const idp = useTestIdp({ resetClock: true });
let acme: DatabaseApp;
let acmeId: string;
let bolt: { id: string; clientId: string; clientSecret: string };
let ada: { id: string; email: string };
const browsers = new Map<string, TestBrowser>();

async function createDatabase(name: string, ownerId: string, url: string) {
  const created = await idp.services.databases.create(ownerId, {
    name, url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/`], tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId: ownerId });
  return { id: created.database.id, clientId: created.clientId, clientSecret: created.clientSecret! };
}

async function addMember(databaseId: string, email: string) {
  const account = await idp.createAccount(email, PASSWORD);
  const membership = await idp.services.databases.invite(databaseId, email, { kind: 'account', accountId: ada.id });
  await idp.services.databases.acceptInvitation(membership.id, (await idp.services.accounts.findById(account.id))!);
  return account;
}

async function portal(email: string): Promise<TestBrowser> {
  let browser = browsers.get(email);
  if (!browser) {
    browser = new TestBrowser();
    await signInToPortal(browser, idp.issuer, email, PASSWORD);
    browsers.set(email, browser);
  }
  return browser;
}

function secretIn(page: PageResponse): string {
  const secret = page.body.match(/lk_[a-z2-7]{10}_[A-Za-z0-9_-]{43}/)?.[0];
  if (!secret) throw new Error(`no key on the page (${page.status}):\n${page.body.slice(0, 1500)}`);
  return secret;
}

async function createInPortal(email: string, fields: Record<string, string> = {}): Promise<{ page: PageResponse; secret: string }> {
  const browser = await portal(email);
  const page = await browser.request(`${idp.issuer}${KEYS}`);
  const created = await browser.submit(page, `${KEYS}/new`, { description: 'nightly export', duration: '1w', scope: 'read-write', database_access: 'all', ...fields });
  expect(created.status, created.body.slice(0, 800)).toBe(201);
  return { page: created, secret: secretIn(created) };
}

async function enableDeveloperMode(email: string): Promise<void> {
  const browser = await portal(email);
  const page = await browser.request(`${idp.issuer}${KEYS}`);
  if (!page.body.includes('Turn on developer mode')) return;
  const on = await browser.submit(page, `${KEYS}/developer-mode`, {});
  expect(on.body).toContain('Add an API key');
}

const me = (key: string, base = acme.url) => fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${key}` } });
const api = (path: string, key: string, init: RequestInit = {}) =>
  fetch(`${idp.issuer}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });
async function introspect(key: string, client: { clientId: string; clientSecret: string }) {
  const res = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: key }),
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  ada = await idp.createAccount('ada@example.com', PASSWORD, 'Ada');
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const acmeClient = await createDatabase('Acme', ada.id, url);
  acmeId = acmeClient.id;
  acme = await startDatabaseApp({
    name: 'Acme', port, host: '127.0.0.1', issuer: idp.issuer, clientId: acmeClient.clientId, clientSecret: acmeClient.clientSecret,
    dataDir: tempDir('acme-'), introspectionCacheSeconds: 0, negativeCacheSeconds: 0,
  }, { log: () => {} });
  bolt = await createDatabase('Bolt', ada.id, 'http://localhost:9');
});
afterAll(async () => acme?.close());

describe('developer mode and the portal', () => {
  it('shows developer mode on Connection & Security, creates a key shown once, and lists it without the secret', async () => {
    const browser = await portal(ada.email);
    const security = await browser.request(`${idp.issuer}/my/security`);
    expect(security.body).toContain('Developer mode is off');
    expect(security.body).toContain(KEYS);
    const off = await browser.request(`${idp.issuer}${KEYS}`);
    expect(off.body).toContain('Turn on developer mode');
    expect(off.body).not.toContain('Add an API key');

    await enableDeveloperMode(ada.email);
    const { page, secret } = await createInPortal(ada.email);
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.body).toContain('shown only once');
    const script = await fetch(`${idp.issuer}/static/api-key-copy.js`);
    expect(script.headers.get('content-type')).toContain('javascript');

    const list = await browser.request(`${idp.issuer}${KEYS}`);
    expect(list.body).toContain('nightly export');
    expect(list.body).toContain(secret.slice(0, 13)); // the visible id
    expect(list.body).not.toContain(secret);
    expect(list.headers.get('content-security-policy')).not.toContain('script-src');
    expect(idp.lastMailTo(ada.email)?.subject).toBe('A new API key was added to your account');
    expect((await browser.request(`${idp.issuer}/my/security`)).body).toContain('Developer mode is on');
  });

  it('explains bad input on the form with a 400', async () => {
    await enableDeveloperMode(ada.email);
    const browser = await portal(ada.email);
    const page = await browser.request(`${idp.issuer}${KEYS}`);
    const cases: [Record<string, string>, string][] = [
      [{ description: '' }, 'Describe what the key is for'],
      [{ duration: 'forever' }, 'Choose how long the key lives'],
      [{ scope: 'admin' }, 'Choose the access'],
      [{ database_access: 'some' }, 'Choose at least one database'],
      [{ database_access: 'some', 'db:db_notmine': 'on' }, 'databases you are a member of'],
    ];
    for (const [fields, message] of cases) {
      const bad = await browser.submit(page, `${KEYS}/new`, { description: 'x', duration: '1w', scope: 'read', database_access: 'all', ...fields });
      expect(bad.status, JSON.stringify(fields)).toBe(400);
      expect(bad.body).toContain(message);
    }
    const rotate = await browser.request(`${idp.issuer}${KEYS}/key_AAAAAAAAAAAAAAAA/rotate`, { method: 'POST', form: { _csrf: (page.body.match(/name="_csrf" value="([^"]+)"/) ?? [])[1]!, grace: '7' } });
    expect(rotate.status).toBe(400);
    expect(rotate.body).toContain('none, 1 hour or 24 hours');
    const revoke = await browser.request(`${idp.issuer}${KEYS}/nope/revoke`, { method: 'POST', form: { _csrf: (page.body.match(/name="_csrf" value="([^"]+)"/) ?? [])[1]! } });
    expect(revoke.status).toBe(400);
    const csrf = (page.body.match(/name="_csrf" value="([^"]+)"/) ?? [])[1]!;
    expect((await browser.request(`${idp.issuer}${KEYS}/developer-mode`, { method: 'POST', form: { _csrf: csrf, enabled: 'yes' } })).status).toBe(400);
    const noCsrf = await browser.request(`${idp.issuer}${KEYS}/new`, { method: 'POST', form: { description: 'x' } });
    expect(noCsrf.status).toBe(403);
  });

  it('asks for the password again when the sign-in is older than 10 minutes', async () => {
    const browser = await portal(ada.email);
    const page = await browser.request(`${idp.issuer}${KEYS}`);
    clock.offsetMs = 11 * 60 * 1000;
    const ask = await browser.submit(page, `${KEYS}/new`, { description: 'after a while', duration: '1d', scope: 'read', database_access: 'all' });
    expect(ask.status).toBe(401);
    expect(ask.body).toContain('Confirm it is you');
    expect(ask.body).not.toMatch(/lk_[a-z2-7]{10}_/);
    const done = await browser.submit(ask, `${KEYS}/new`, { reauth_password: PASSWORD });
    expect(done.status).toBe(201);
    secretIn(done);

    // Revoking a key and turning developer mode off are sensitive too.
    clock.offsetMs = 22 * 60 * 1000;
    const keys = await browser.request(`${idp.issuer}${KEYS}`);
    const revokeAsk = await browser.submit(keys, '/revoke', {});
    expect(revokeAsk.status).toBe(401);
    expect(revokeAsk.body).toContain('Confirm it is you');
    const offAsk = await browser.request(`${idp.issuer}${KEYS}/developer-mode/off`, { form: { _csrf: (keys.body.match(/name="_csrf" value="([^"]+)"/) ?? [])[1]!, confirm: 'yes' } });
    expect(offAsk.status).toBe(401);
    expect(await idp.services.apiKeys.isDeveloperMode(ada.id)).toBe(true);
  });
});

describe('using a key at a database', () => {
  it('authenticates at the reference database with the membership login, and records last use', async () => {
    const { secret } = await createInPortal(ada.email, { description: 'acme script' });
    const res = await me(secret);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: ada.id, login: 'ada@example.com', role: 'owner', scope: 'read-write', database: 'Acme' });
    const note = await fetch(`${acme.url}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'from a script' }) });
    expect(note.status).toBe(201);
    const answer = await introspect(secret, bolt);
    expect(answer).toMatchObject({ active: true, token_type: 'api_key', client_id: bolt.clientId, login: 'ada@example.com', scope: 'read-write' });
    expect(typeof answer.exp).toBe('number');
    const list = await (await portal(ada.email)).request(`${idp.issuer}${KEYS}`);
    expect(list.body).toMatch(/acme script<[\s\S]*?from (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)</);
  });

  it('keeps a read key to GET and a limited key to its databases', async () => {
    const { secret: readKey } = await createInPortal(ada.email, { scope: 'read' });
    expect((await me(readKey)).status).toBe(200);
    const write = await fetch(`${acme.url}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'no' }) });
    expect(write.status).toBe(403);

    const { secret: boltOnly } = await createInPortal(ada.email, { database_access: 'some', [`db:${bolt.id}`]: 'on' });
    expect((await me(boltOnly)).status).toBe(401);
    expect(await introspect(boltOnly, bolt)).toMatchObject({ active: true });
    const list = await (await portal(ada.email)).request(`${idp.issuer}${KEYS}`);
    expect(list.body).toContain('Bolt');
  });

  it('refuses unknown, malformed and foreign-client answers', async () => {
    expect((await me(`lk_aaaaaaaaaa_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await me('not-a-key')).status).toBe(401);
    const { secret } = await createInPortal(ada.email);
    const wrongSecret = await fetch(`${idp.issuer}/token/introspection`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${bolt.clientId}:wrong`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: secret }),
    });
    expect(wrongSecret.status).toBe(401);
  });

  it('stops working when the key expires (moved clock) and is purged', async () => {
    const { secret } = await createInPortal(ada.email, { duration: '1d', description: 'short lived' });
    expect((await me(secret)).status).toBe(200);
    clock.offsetMs = 24 * 3600 * 1000 - 60_000;
    expect((await me(secret)).status).toBe(200);
    clock.offsetMs = 24 * 3600 * 1000 + 1000;
    expect((await me(secret)).status).toBe(401);
    expect((await api('/api-keys', secret)).status).toBe(401);
    expect((await runMaintenance(idp.services)).apiKeys).toBeGreaterThanOrEqual(1);
  });

  it('refuses the key of an account that left the database', async () => {
    const bob = await addMember(acmeId, 'bob@example.com');
    await enableDeveloperMode(bob.email);
    const { secret } = await createInPortal(bob.email);
    expect(await (await me(secret)).json()).toMatchObject({ login: 'bob@example.com', role: 'member' });
    await idp.services.databases.leave(acmeId, (await idp.services.accounts.findById(bob.id))!);
    expect((await me(secret)).status).toBe(401);
  });

  it('refuses the key of a deleted account', async () => {
    const cy = await addMember(acmeId, 'cy@example.com');
    await enableDeveloperMode(cy.email);
    const { secret } = await createInPortal(cy.email);
    expect((await me(secret)).status).toBe(200);
    await idp.services.security.deletion.deleteAccount((await idp.services.accounts.findById(cy.id))!, cy.email);
    expect((await me(secret)).status).toBe(401);
    expect(await introspect(secret, bolt)).toEqual({ active: false });
  });
});

describe('rotate and revoke', () => {
  it('rotates in the portal without grace: the old secret dies at once', async () => {
    const { secret: old } = await createInPortal(ada.email, { description: 'rotate me' });
    const browser = await portal(ada.email);
    const keyId = (await api('/api-keys', old).then((r) => r.json()) as { id: string; visibleId: string }[]).find((k) => old.startsWith(k.visibleId))!.id;
    const page = await browser.request(`${idp.issuer}${KEYS}`);
    const rotated = await browser.submit(page, `${KEYS}/${keyId}/rotate`, { grace: '0' });
    expect(rotated.status).toBe(200);
    const fresh = secretIn(rotated);
    expect(fresh.slice(0, 13)).toBe(old.slice(0, 13));
    expect(fresh).not.toBe(old);
    expect((await me(old)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
    expect(idp.lastMailTo(ada.email)?.subject).toBe('One of your API keys was rotated');
  });

  it('rotates through the account API with a 1 hour grace: the old secret lives exactly that long', async () => {
    const { secret: old } = await createInPortal(ada.email, { description: 'graceful' });
    const keys = (await (await api('/api-keys', old)).json()) as { id: string; visibleId: string }[];
    const keyId = keys.find((k) => old.startsWith(k.visibleId))!.id;
    const res = await api(`/api-keys/${keyId}/rotate`, old, { method: 'POST', body: JSON.stringify({ graceSeconds: 3600 }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { secret: string; key: { id: string; visibleId: string } };
    expect(body.key).toMatchObject({ id: keyId, visibleId: old.slice(0, 13) });
    expect((await me(old)).status).toBe(200);
    expect((await me(body.secret)).status).toBe(200);
    clock.offsetMs = 3600 * 1000 - 5000;
    expect((await me(old)).status).toBe(200);
    clock.offsetMs = 3600 * 1000;
    expect((await me(old)).status).toBe(401);
    expect((await me(body.secret)).status).toBe(200);
  });

  it('revokes in the portal and through the account API', async () => {
    const { secret: a } = await createInPortal(ada.email, { description: 'revoke in portal' });
    const { secret: b } = await createInPortal(ada.email, { description: 'revoke by api' });
    const keys = (await (await api('/api-keys', b)).json()) as { id: string; visibleId: string }[];
    const idOf = (s: string) => keys.find((k) => s.startsWith(k.visibleId))!.id;
    const browser = await portal(ada.email);
    const page = await browser.request(`${idp.issuer}${KEYS}`);
    const revoked = await browser.submit(page, `${KEYS}/${idOf(a)}/revoke`, {});
    expect(revoked.body).toContain('The API key was revoked.');
    expect((await me(a)).status).toBe(401);
    expect((await api(`/api-keys/${idOf(b)}`, b, { method: 'DELETE' })).status).toBe(204);
    expect((await me(b)).status).toBe(401);
    const audit = (await idp.services.audit.listForAccount(ada.id)).map((e) => e.event);
    expect(audit).toEqual(expect.arrayContaining(['api_key.created', 'api_key.rotated', 'api_key.revoked', 'developer_mode.enabled']));
  });
});

describe('the account API with a key', () => {
  it('answers status, databases and keys, and keeps read keys to GET', async () => {
    const { secret } = await createInPortal(ada.email, { scope: 'read', description: 'reader' });
    const status = await api('/status', secret);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ accountId: ada.id, email: ada.email, apiKeys: { total: expect.any(Number) } });
    const databases = (await (await api('/databases', secret)).json()) as { name: string; login: string; role: string }[];
    expect(databases.map((d) => d.name).sort()).toEqual(['Acme', 'Bolt']);
    expect(databases[0]).toMatchObject({ login: 'ada@example.com', role: 'owner' });
    const keys = (await (await api('/api-keys', secret)).json()) as Record<string, unknown>[];
    expect(keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(keys)).not.toMatch(/lk_[a-z2-7]{10}_/);
    expect(Object.keys(keys[0]!).sort()).toEqual(['createdAt', 'databases', 'description', 'expiresAt', 'id', 'lastUsedAt', 'lastUsedIp', 'scope', 'visibleId']);
    const mine = keys.find((k) => secret.startsWith(k.visibleId as string))!;
    const write = await api(`/api-keys/${mine.id}`, secret, { method: 'DELETE' });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('read-only') });
  });

  it('answers bad requests with a clear 4xx as JSON', async () => {
    const { secret } = await createInPortal(ada.email, { description: 'writer' });
    const none = await fetch(`${idp.issuer}/api/v1/status`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ error: 'unauthorized' });
    expect((await api('/status', `lk_aaaaaaaaaa_${'B'.repeat(43)}`)).status).toBe(401);
    const keys = (await (await api('/api-keys', secret)).json()) as { id: string; visibleId: string }[];
    const id = keys.find((k) => secret.startsWith(k.visibleId))!.id;
    const badGrace = await api(`/api-keys/${id}/rotate`, secret, { method: 'POST', body: JSON.stringify({ graceSeconds: 60 }) });
    expect(badGrace.status).toBe(400);
    expect(await badGrace.json()).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('1 hour') });
    const extra = await api(`/api-keys/${id}/rotate`, secret, { method: 'POST', body: JSON.stringify({ graceSeconds: 0, admin: true }) });
    expect(extra.status).toBe(400);
    const notJson = await api(`/api-keys/${id}/rotate`, secret, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    const other = await api('/api-keys/key_AAAAAAAAAAAAAAAA/rotate', secret, { method: 'POST', body: '{}' });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('only rotate or revoke itself') });
    expect((await api('/api-keys/bad id', secret, { method: 'DELETE' })).status).toBe(400);
    expect((await api('/api-keys', secret, { method: 'PUT' })).status).toBe(405);
  });

  it('does not let a key limited to one database take over a wider key', async () => {
    const { secret: wide } = await createInPortal(ada.email, { description: 'wide' });
    const { secret: narrow } = await createInPortal(ada.email, { description: 'narrow', database_access: 'some', [`db:${bolt.id}`]: 'on' });
    const keys = (await (await api('/api-keys', narrow)).json()) as { id: string; visibleId: string }[];
    const wideId = keys.find((k) => wide.startsWith(k.visibleId))!.id;
    expect((await api(`/api-keys/${wideId}/rotate`, narrow, { method: 'POST', body: '{"graceSeconds":0}' })).status).toBe(403);
    expect((await api(`/api-keys/${wideId}`, narrow, { method: 'DELETE' })).status).toBe(403);
    expect((await me(wide)).status).toBe(200);
  });
});

describe('limits and turning developer mode off', () => {
  it('caps live keys at 20 and revokes every key when developer mode is turned off after a confirmation', async () => {
    const dee = await addMember(acmeId, 'dee@example.com');
    await enableDeveloperMode(dee.email);
    const { secret } = await createInPortal(dee.email);
    for (let i = 0; i < 19; i++) await idp.services.apiKeys.create(dee.id, { description: `k${i}`, duration: '1d', scope: 'read', databases: null }, { actor: dee.id });
    const browser = await portal(dee.email);
    const full = await browser.request(`${idp.issuer}${KEYS}`);
    expect(full.body).toContain('the most an account can have');
    const refused = await browser.request(`${idp.issuer}${KEYS}/new`, { method: 'POST', form: { _csrf: full.body.match(/name="_csrf" value="([^"]+)"/)![1]!, description: 'one more', duration: '1d', scope: 'read', database_access: 'all' } });
    expect(refused.status).toBe(409);

    const confirm = await browser.request(`${idp.issuer}${KEYS}/developer-mode/off`);
    expect(confirm.body).toContain('This revokes your 20 API key(s)');
    const unconfirmed = await browser.request(`${idp.issuer}${KEYS}/developer-mode/off`, { method: 'POST', form: { _csrf: confirm.body.match(/name="_csrf" value="([^"]+)"/)![1]! } });
    expect(unconfirmed.status).toBe(400);
    expect((await me(secret)).status).toBe(200);
    const done = await browser.submit(confirm, `${KEYS}/developer-mode/off`, {});
    expect(done.body).toContain('20 API key(s) revoked');
    expect((await me(secret)).status).toBe(401);
    expect(await idp.services.apiKeys.listLive(dee.id)).toHaveLength(0);
  });
});

describe('operator commands', () => {
  it('lists an account\'s keys without secrets and revokes one by its visible id', async () => {
    await enableDeveloperMode(ada.email);
    const { secret } = await createInPortal(ada.email, { description: 'leaked on a forum' });
    const env = { IDP_DATA_DIR: idp.dataDir };
    const list = await runIdp(['apikey', 'list', '--account', ada.email], env);
    expect(list.code, list.stderr).toBe(0);
    const listed = list.json<{ developerMode: boolean; keys: { visibleId: string; description: string }[] }>();
    expect(listed.developerMode).toBe(true);
    expect(listed.keys.map((k) => k.description)).toContain('leaked on a forum');
    expect(list.stdout).not.toContain(secret);
    const revoke = await runIdp(['apikey', 'revoke', '--account', ada.email, '--key', secret.slice(0, 13), '--reason', 'found in a public repository by a secret scanner'], env);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect((await me(secret)).status).toBe(401);
    const unknown = await runIdp(['apikey', 'list', '--account', 'nobody@example.com'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No account has the email');
  });
});
