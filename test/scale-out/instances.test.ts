/**
 * Two IdP instances (separate `idp serve` processes on their own ports) on one PostgreSQL database,
 * with one public issuer as behind a reverse proxy, behave as one: a session made on one is used on the
 * other, tokens issued by one are known to the other, "log out from all devices" on one ends sessions
 * created on the other, failed sign-ins count across both, and a key rotation is seen by both.
 * Runs when IDP_TEST_POSTGRES_URL is set (the `postgres` vitest project), with sessions, interactions,
 * codes and rate limits in Redis when IDP_TEST_REDIS_URL is set too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runIdp } from '../helpers/cli.ts';
import { findForm } from '../helpers/browser.ts';
import { freePort } from '../helpers/databases.ts';
import { HttpSession, type HttpResponse } from '../helpers/http-session.ts';
import { tempDir } from '../helpers/idp.ts';
import { clearRedisPrefix, createTestDatabase, testPostgresUrl, testRedisUrl, type TestDatabase } from '../helpers/postgres.ts';
import { StoreOidcAdapter } from '../../idp/src/storage/oidc-adapter.ts';
import { secretBox } from '../../idp/src/storage/secret-box.ts';
import { openStore } from '../../idp/src/storage/store.ts';

const email = 'ada@example.com';
const password = 'a sufficiently long passphrase';
let database: TestDatabase;
let issuer: string;
let env: Record<string, string>;
const instances: { port: number; child: ChildProcess; stderr: string }[] = [];

async function startInstance(port: number): Promise<void> {
  const instance = { port, stderr: '', child: spawn(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', IDP_WORKERS: '1', IDP_LOG_LEVEL: 'info', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'pipe'],
  }) };
  instance.child.stderr!.on('data', (d) => (instance.stderr += d));
  instances.push(instance);
  const end = Date.now() + 30_000;
  while (!instance.stderr.includes('IdP listening on')) {
    if (Date.now() > end || instance.child.exitCode !== null) throw new Error(`instance on ${port} did not start:\n${instance.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A browser talking to instance `i`; `from` shares its cookies (the same browser, another backend). */
function browserOn(i: number, from?: HttpSession): HttpSession {
  const session = new HttpSession({ host: '127.0.0.1', port: instances[i]!.port, origin: issuer }, false);
  for (const [k, v] of from?.cookies ?? []) session.cookies.set(k, v);
  return session;
}

async function follow(session: HttpSession, res: HttpResponse): Promise<HttpResponse> {
  for (let hops = 0; res.location && res.status >= 300 && res.status < 400 && hops < 10; hops++) res = await session.request('GET', res.location);
  return res;
}

async function submit(session: HttpSession, page: HttpResponse, action: string, fields: Record<string, string>): Promise<HttpResponse> {
  const form = findForm(page.body, action);
  return session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, ...fields }, headers: { origin: issuer } });
}

async function signIn(session: HttpSession, pass = password): Promise<HttpResponse> {
  const login = await follow(session, await session.request('GET', '/my/login'));
  return follow(session, await submit(session, login, '/login', { email, password: pass }));
}

async function jwksKids(i: number): Promise<string[]> {
  const res = await browserOn(i).request('GET', '/jwks', { headers: { accept: 'application/json' } });
  return (JSON.parse(res.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

describe.skipIf(!testPostgresUrl)('several IdP instances on one PostgreSQL', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const [portA, portB] = [await freePort(), await freePort()];
    issuer = `http://localhost:${portA}`;
    env = {
      IDP_DATABASE_URL: database.url, IDP_SECRET_KEY: crypto.randomBytes(32).toString('base64'), IDP_ISSUER: issuer, IDP_DATA_DIR: tempDir('latchkey-instances-'),
      ...(testRedisUrl ? { IDP_REDIS_URL: testRedisUrl, IDP_REDIS_PREFIX: `lktest:${crypto.randomBytes(6).toString('hex')}:` } : {}),
    };
    const created = await runIdp(['account', 'create', '--email', email, '--password', password], env);
    expect(created.code, created.stderr).toBe(0);
    await startInstance(portA);
    await startInstance(portB);
  }, 90_000);

  afterAll(async () => {
    for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
    await database?.drop();
    if (env?.IDP_REDIS_URL) await clearRedisPrefix(env.IDP_REDIS_URL, env.IDP_REDIS_PREFIX!);
    if (env?.IDP_DATA_DIR) fs.rmSync(env.IDP_DATA_DIR, { recursive: true, force: true });
  });

  it('uses a session made on one instance on the other', async () => {
    const onA = browserOn(0);
    const account = await signIn(onA);
    expect(account.status, account.body.slice(0, 300)).toBe(200);
    expect(account.body).toContain(email);
    const onB = browserOn(1, onA);
    const page = await onB.request('GET', '/my/account');
    expect(page.status).toBe(200);
    expect(page.body).toContain(email);
  });

  it('knows on one instance the tokens issued by the other', async () => {
    const clientId = `multi-${crypto.randomBytes(4).toString('hex')}`;
    const secret = crypto.randomBytes(24).toString('base64url');
    const store = await openStore({ databaseUrl: database.url });
    try {
      await new StoreOidcAdapter('Client', store, secretBox(Buffer.from(env.IDP_SECRET_KEY!, 'base64'))).upsert(clientId, {
        client_id: clientId, client_secret: secret, grant_types: ['client_credentials'], response_types: [],
        redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic',
      }, 0);
    } finally {
      await store.close();
    }
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const json = { authorization: basic, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    const issued = await browserOn(0).request('POST', '/token', { headers: json, body: 'grant_type=client_credentials' });
    expect(issued.status, issued.body).toBe(200);
    const token = (JSON.parse(issued.body) as { access_token: string }).access_token;
    const introspect = async (i: number) => JSON.parse((await browserOn(i).request('POST', '/token/introspection', { headers: json, body: `token=${token}` })).body) as { active: boolean };
    expect(await introspect(1)).toMatchObject({ active: true });
    const revoked = await browserOn(1).request('POST', '/token/revocation', { headers: json, body: `token=${token}` });
    expect(revoked.status).toBe(200);
    expect(await introspect(0)).toMatchObject({ active: false });
  });

  it('ends on one instance, by "log out from all devices", the sessions created on the other', async () => {
    const laptop = browserOn(1);
    expect((await signIn(laptop)).status).toBe(200);
    const phone = browserOn(0);
    expect((await signIn(phone)).status).toBe(200);
    const security = await phone.request('GET', '/my/security');
    const done = await follow(phone, await submit(phone, security, '/my/security/devices/logout-others', {}));
    expect(done.status, done.body.slice(0, 300)).toBe(200);
    // The laptop's session (made on B) is gone on both instances; the phone's stays.
    for (const i of [0, 1]) expect((await browserOn(i, laptop).request('GET', '/my/account')).status).toBe(302);
    expect((await browserOn(1, phone).request('GET', '/my/account')).status).toBe(200);
  });

  it('counts failed sign-ins across instances: the 11th attempt is throttled on either', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await signIn(browserOn(i % 2), `wrong password ${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    expect((await signIn(browserOn(0))).status).toBe(429);
    expect((await signIn(browserOn(1))).status).toBe(429);
  });

  it('publishes a key rotation on every instance without a restart', async () => {
    const before = await jwksKids(0);
    const rotated = await runIdp(['keys', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = rotated.json<{ rotated: { kid: string }[] }>().rotated.map((k) => k.kid);
    for (const i of [0, 1]) {
      const end = Date.now() + 10_000;
      let kids = await jwksKids(i);
      while (!fresh.every((k) => kids.includes(k)) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        kids = await jwksKids(i);
      }
      expect(kids).toEqual(expect.arrayContaining([...fresh, ...before]));
    }
  }, 30_000);
});
