/**
 * Issue 13, finding 3: "a copy of the store is a master key". The attacker here holds a copy of the store
 * (an `idp export`, which is the PostgreSQL tables or the SQLite tables; on SQLite also the raw database
 * and WAL files; with Redis, every key under the IdP's prefix) but not IDP_SECRET_KEY. Each attack of
 * the original finding is performed against the running IdP and refused:
 *   - sign an ID token with a stored private signing key;
 *   - forge a session cookie from `cookie_secrets` and a session row (the original: a session id from the
 *     export plus cookie_secrets[0] opened /my/account);
 *   - replay a row key as an access token at userinfo and introspection, or as a refresh token;
 *   - authenticate as a database at the token endpoint with its stored client secret.
 * Each attack has a control that performs it with the clear value (taken from the running IdP, which
 * holds the key), so the test would fail if the store kept that value in clear. And the SQLite files are
 * 0600. Runs on SQLite and (the postgres project) on PostgreSQL + Redis.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.ts';
import { runIdp } from '../helpers/cli.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { tempDir } from '../helpers/idp.ts';
import { authorize, exchange } from '../helpers/oidc-sign-in.ts';
import { enableTwoFactor, portalSignIn } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { cookieSecrets, csrfSecret, loadJwks } from '../../idp/src/storage/server-settings.ts';

const idp = useTestIdp();
const email = 'victim@example.com';
const password = 'a perfectly fine passphrase';

type Row = Record<string, unknown>;
interface StolenCopy {
  /** Everything the attacker holds, as one text to search. */
  text: string;
  rows(table: string): Row[];
  /** Redis keys (without the prefix) and their values, when the IdP uses Redis. */
  redis: Map<string, string>;
}

let client: SeededClient;
let config: oidc.Configuration;
let browser: TestBrowser;
let sessionId: string;
let tokens: oidc.TokenEndpointResponse;
let totpSecret: string;
let copy: StolenCopy;

async function stealCopy(): Promise<StolenCopy> {
  const file = path.join(tempDir('latchkey-stolen-'), 'store.jsonl');
  const exported = await runIdp(['export', '--out', file], { IDP_DATA_DIR: idp.dataDir });
  expect(exported.code, exported.stderr).toBe(0);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { table?: string; row?: Row });
  const parts = [fs.readFileSync(file, 'utf8')];
  if (!idp.config.databaseUrl) {
    // The raw files too: freed pages and the WAL may hold what the tables no longer show.
    for (const name of ['idp.sqlite', 'idp.sqlite-wal']) {
      const raw = path.join(idp.dataDir, name);
      if (fs.existsSync(raw)) parts.push(fs.readFileSync(raw).toString('latin1'));
    }
  }
  const redis = new Map<string, string>();
  const shortLived = idp.services.shortLived;
  if (shortLived) {
    for (const key of await shortLived.redis.keys(`${shortLived.prefix}*`)) {
      const type = await shortLived.redis.type(key);
      const value = type === 'string' ? await shortLived.redis.get(key)
        : type === 'set' ? JSON.stringify(await shortLived.redis.smembers(key))
          : type === 'hash' ? JSON.stringify(await shortLived.redis.hgetall(key)) : '';
      redis.set(key.slice(shortLived.prefix.length), value ?? '');
    }
    parts.push(JSON.stringify([...redis]));
  }
  return { text: parts.join('\n'), rows: (table) => lines.filter((l) => l.table === table).map((l) => l.row!), redis };
}

/** The portal page with a hand-made session cookie (koa's signed cookie: HMAC-SHA1 of `name=value`). */
async function portalWithCookie(id: string, secret: string): Promise<number> {
  const sig = crypto.createHmac('sha1', secret).update(`_session=${id}`).digest('base64url');
  const res = await fetch(`${idp.issuer}/my/account`, { headers: { cookie: `_session=${id}; _session.sig=${sig}` }, redirect: 'manual' });
  return res.status;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function introspect(token: string, clientSecret = client.clientSecret): Promise<{ status: number; active?: boolean }> {
  const res = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST', headers: { authorization: basic(client.clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  return { status: res.status, active: res.ok ? ((await res.json()) as { active: boolean }).active : undefined };
}

async function userinfo(token: string): Promise<number> {
  return (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

/** Row keys of a model in the SQL copy and in Redis. */
function storedIds(model: string): string[] {
  const sql = copy.rows('oidc_models').filter((r) => r.model === model).map((r) => String(r.id));
  const redis = [...copy.redis.keys()].filter((k) => k.startsWith(`oidc:${model}:`) && !/:(uid|code):/.test(k)).map((k) => k.slice(`oidc:${model}:`.length));
  return [...sql, ...redis];
}

beforeAll(async () => {
  await idp.createAccount(email, password);
  client = await seedClient(idp);
  config = await discoverClient(idp, client);
  browser = new TestBrowser();
  expect((await portalSignIn(idp, browser, email, password)).url).toContain('/my/account');
  ({ secret: totpSecret } = await enableTwoFactor(browser, idp));
  const authorization = await authorize(browser, config, { redirectUri: client.redirectUri, scope: 'openid email offline_access', params: { prompt: 'consent' } });
  tokens = await exchange(config, authorization);
  sessionId = browser.cookies.get(new URL(idp.issuer).host)!.get('_session')!;
  expect(sessionId).toBeTruthy();
  expect(tokens.access_token).toBeTruthy();
  expect(tokens.refresh_token).toBeTruthy();
  copy = await stealCopy();
});

describe('attack: a copy of the store without IDP_SECRET_KEY (issue 13, finding 3)', () => {
  it('holds no secret in clear: signing key d, cookie keys, CSRF secret, client secret, TOTP secret, tokens, session id', async () => {
    const { db, box } = idp.services;
    const clear: Record<string, string[]> = {
      'signing key d': (await loadJwks(db, box)).keys.map((k) => String(k.d)),
      'cookie keys': await cookieSecrets(db, box),
      'CSRF secret': [await csrfSecret(db, box)],
      'client secret': [client.clientSecret],
      'TOTP secret': [totpSecret],
      'access token': [tokens.access_token],
      'refresh token': [tokens.refresh_token!],
      'session id': [sessionId],
    };
    for (const [what, values] of Object.entries(clear)) {
      expect(values.length, what).toBeGreaterThan(0);
      for (const value of values) {
        expect(value.length, what).toBeGreaterThan(15);
        expect(copy.text.includes(value), `${what} is in the copy`).toBe(false);
      }
    }
  });

  it('signs no ID token: the stored private keys are sealed (control: the clear key would be accepted)', async () => {
    const rows = copy.rows('signing_keys');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const usable = rows.filter((row) => {
      try {
        return typeof (JSON.parse(String(row.private_jwk)) as { d?: unknown }).d === 'string';
      } catch {
        return false;
      }
    });
    expect(usable).toEqual([]);
    expect(rows.every((row) => String(row.private_jwk).startsWith('v2.'))).toBe(true);

    // Control: the same forgery with a clear private key passes the IdP's published keys.
    const jwks = jose.createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const key = (await loadJwks(idp.services.db, idp.services.box)).keys.find((k) => k.alg === 'ES256')!;
    const forged = await new jose.SignJWT({ sub: 'anyone', email: 'admin@example.com' }).setProtectedHeader({ alg: 'ES256', kid: key.kid! })
      .setIssuer(idp.issuer).setAudience(client.clientId).setIssuedAt().setExpirationTime('5m').sign(await jose.importJWK(key, 'ES256'));
    await expect(jose.jwtVerify(forged, jwks, { issuer: idp.issuer, audience: client.clientId })).resolves.toBeTruthy();
  });

  it('forges no session cookie from cookie_secrets and a session row (control: the clear key and id open /my/account)', async () => {
    const stored = String(copy.rows('server_settings').find((r) => r.name === 'cookie_secrets')!.value);
    let candidates = [stored];
    try {
      candidates = [...candidates, ...(JSON.parse(stored) as string[])];
    } catch {
      // sealed: not JSON, the attacker can only try the text itself
    }
    const rowIds = storedIds('Session');
    expect(rowIds.length).toBeGreaterThan(0);
    for (const id of rowIds) for (const secret of candidates) expect(await portalWithCookie(id, secret)).not.toBe(200);

    // Control (the original finding): the clear cookie key and the clear session id do open the account…
    const [cookieKey] = await cookieSecrets(idp.services.db, idp.services.box);
    expect(await portalWithCookie(sessionId, cookieKey!)).toBe(200);
    // …while even the clear key with a row key does not: the row key is a hash of the id.
    for (const id of rowIds) expect(await portalWithCookie(id, cookieKey!)).not.toBe(200);
  });

  it('replays no row key as an access or refresh token at userinfo, introspection or the token endpoint', async () => {
    // Control: the real tokens work.
    expect(await userinfo(tokens.access_token)).toBe(200);
    expect(await introspect(tokens.access_token)).toEqual({ status: 200, active: true });
    const accessIds = storedIds('AccessToken');
    const refreshIds = storedIds('RefreshToken');
    expect(accessIds.length).toBeGreaterThan(0);
    expect(refreshIds.length).toBeGreaterThan(0);
    for (const id of [...accessIds, ...refreshIds, ...storedIds('Session'), ...storedIds('AuthorizationCode')]) {
      expect(await userinfo(id)).toBe(401);
      expect(await introspect(id)).toEqual({ status: 200, active: false });
    }
    for (const id of refreshIds) await expect(oidc.refreshTokenGrant(config, id)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('authenticates no database with its stored client secret (control: the real secret does)', async () => {
    const row = copy.rows('oidc_models').find((r) => r.model === 'Client' && r.id === client.clientId)!;
    const storedSecret = String((JSON.parse(String(row.payload)) as { client_secret: string }).client_secret);
    expect(storedSecret).not.toBe(client.clientSecret);
    expect((await introspect(tokens.access_token, storedSecret)).status).toBe(401);
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST', headers: { authorization: basic(client.clientId, storedSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
    expect((await introspect(tokens.access_token)).status).toBe(200);
  });

  it.skipIf(process.platform === 'win32')('keeps the SQLite store files 0600 (idp.sqlite, -wal, -shm)', () => {
    if (idp.config.databaseUrl) return; // PostgreSQL: the files are the database server's
    for (const name of ['idp.sqlite', 'idp.sqlite-wal', 'idp.sqlite-shm', 'secret.key']) {
      expect((fs.statSync(path.join(idp.dataDir, name)).mode & 0o777).toString(8), name).toBe('600');
    }
    expect(fs.statSync(idp.dataDir).mode & 0o007).toBe(0);
  });
});
