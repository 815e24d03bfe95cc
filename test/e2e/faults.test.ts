/**
 * Dependencies going away under a running IdP (issue 20). A small TCP proxy written here (node:net)
 * stands between the IdP and PostgreSQL, and another between the IdP and Redis; each is killed
 * (connections reset, new ones refused) and frozen (connections stay open, nothing is forwarded: a
 * partition). Meanwhile every probe must answer within the configured timeouts: 503 with Retry-After
 * where the dependency is needed, 200 where it is not (discovery, JWKS, liveness; the token endpoint,
 * introspection and the account API through a Redis outage); never a 500, never a hang. After the proxy
 * is restored the IdP recovers by itself and nothing acknowledged before the fault is lost.
 *
 * PostgreSQL (and Redis) only: the `postgres` project, with IDP_TEST_POSTGRES_URL (and IDP_TEST_REDIS_URL).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.ts';
import { seedClient } from '../helpers/clients.ts';
import { passwordSignIn, HttpSession, type SignInClient } from '../helpers/http-session.ts';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { clearRedisPrefix, createTestDatabase, testOnPostgres, testPostgresUrl, testRedisUrl, type TestDatabase } from '../helpers/postgres.ts';
import { portalSignIn } from '../helpers/security.ts';

/** The timeouts the IdP runs with here (short, so the suite stays quick) and the bound they imply. */
const TIMEOUTS = { IDP_PG_CONNECT_TIMEOUT_MS: '1000', IDP_PG_STATEMENT_TIMEOUT_MS: '1000', IDP_REDIS_TIMEOUT_MS: '500' };
/** The longest a probe may take while a dependency is down: one connect or statement (+1 s client read) and slack. */
const BOUND_MS = 4000;

interface Proxy {
  port: number;
  kill(): Promise<void>;
  freeze(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy to `target` that can be killed (reset + refuse), frozen (hold, forward nothing) and restored. */
async function tcpProxy(target: { host: string; port: number }): Promise<Proxy> {
  let mode: 'up' | 'frozen' = 'up';
  const pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  const connect = (pair: { client: net.Socket; upstream?: net.Socket }) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
  };
  const onConnection = (client: net.Socket) => {
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (mode === 'up') connect(pair); // frozen: accepted, never answered
  };
  let server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let listening = true;
  return {
    port,
    async kill() {
      if (listening) {
        listening = false;
        const closed = closeServer();
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy();
          upstream?.destroy();
        }
        await closed;
      }
    },
    freeze() {
      mode = 'frozen';
      for (const { client, upstream } of pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    async restore() {
      if (!listening) {
        server = net.createServer(onConnection);
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
        listening = true;
      }
      if (mode === 'frozen') {
        mode = 'up';
        // The partition heals: held connections flow again, and the ones accepted meanwhile connect.
        for (const pair of pairs) {
          if (!pair.upstream) connect(pair);
          else {
            pair.client.pipe(pair.upstream);
            pair.upstream.pipe(pair.client);
            pair.client.resume();
            pair.upstream.resume();
          }
        }
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      if (listening) await closeServer();
    },
  };
}

interface Answer {
  status: number;
  retryAfter: string | null;
  ms: number;
  body: string;
}

const withPort = (url: string, port: number) => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
};

describe.runIf(testOnPostgres)('dependency faults (PostgreSQL and Redis behind a TCP proxy)', () => {
  let database: TestDatabase;
  let pg: Proxy;
  let redis: Proxy | undefined;
  let idp: TestIdp;
  const redisPrefix = `lktest:${crypto.randomBytes(6).toString('hex')}:`;
  const password = 'correct horse battery staple';
  const browser = new TestBrowser();
  let apiKey = '';
  let client: SignInClient;
  let refreshToken = '';
  const signedUp: string[] = [];
  let probesTried = 0;
  let slowest = 0;
  let unavailable = 0;
  let otherFiveHundreds = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pgTarget = new URL(testPostgresUrl!);
    pg = await tcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
    const env: Record<string, string> = {
      ...TIMEOUTS,
      IDP_DATABASE_URL: withPort(database.url, pg.port),
      IDP_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
      IDP_TRUST_PROXY: '1',
    };
    if (testRedisUrl) {
      const redisTarget = new URL(testRedisUrl);
      redis = await tcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
      Object.assign(env, { IDP_REDIS_URL: withPort(testRedisUrl, redis.port), IDP_REDIS_PREFIX: redisPrefix });
    }
    idp = await startTestIdp(env);
    const account = await idp.createAccount('faults@example.com', password);
    await portalSignIn(idp, browser, account.email, password);
    client = await seedClient(idp, { first_party: true }); // no consent page, as a registered database
    const origin = new URL(idp.issuer);
    const session = new HttpSession({ host: '127.0.0.1', port: Number(origin.port), origin: idp.issuer }, false);
    refreshToken = (await passwordSignIn(session, client, account.email, password)).refresh_token!;
    expect(refreshToken).toBeTruthy();
    await idp.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id });
    apiKey = (await idp.services.apiKeys.create(account.id, { description: 'faults', duration: '1d', scope: 'read-write', databases: null }, { actor: account.id })).secret;
  });

  afterAll(async () => {
    await idp?.close();
    await pg?.close();
    await redis?.close();
    await database?.drop();
    if (testRedisUrl) await clearRedisPrefix(testRedisUrl, redisPrefix);
    console.log(`faults: ${probesTried} probes, ${unavailable} answered 503 + Retry-After, ${otherFiveHundreds} other 5xx, slowest ${slowest} ms (bound ${BOUND_MS} ms)`);
  });

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const started = Date.now();
    probesTried++;
    // A hang is a failure: the fetch gives up well after the bound and the status check then fails.
    const res = await fetch(`${idp.issuer}${path}`, { redirect: 'manual', ...init, signal: AbortSignal.timeout(BOUND_MS + 10_000) });
    const body = await res.text();
    const ms = Date.now() - started;
    slowest = Math.max(slowest, ms);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms, body };
  }
  const basic = () => `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(), accept: 'application/json' }, body: new URLSearchParams(fields).toString() });

  const probes = {
    discovery: () => call('/.well-known/openid-configuration'),
    jwks: () => call('/jwks'),
    healthz: () => call('/healthz'),
    readyz: () => call('/readyz'),
    account: async () => {
      const started = Date.now();
      probesTried++;
      const page = await browser.request(`${idp.issuer}/my/account`);
      const ms = Date.now() - started;
      slowest = Math.max(slowest, ms);
      return { status: page.status, retryAfter: page.headers.get('retry-after'), ms, body: page.body };
    },
    // The key list needs the store only (the status summary counts sessions, which live in Redis).
    accountApi: () => call('/api/v1/api-keys', { headers: { authorization: `Bearer ${apiKey}` } }),
    introspection: () => call('/token/introspection', form({ token: apiKey })),
    // The authorization endpoint as a browser calls it: a redirect to the sign-in page when all is well.
    authorize: () => call(`/auth?${new URLSearchParams({
      client_id: client.clientId, response_type: 'code', scope: 'openid', redirect_uri: client.redirectUri,
      code_challenge: crypto.createHash('sha256').update('verifier').digest('base64url'), code_challenge_method: 'S256',
    })}`, { headers: { accept: 'text/html' } }),
    refresh: async () => {
      const answer = await call('/token', form({ grant_type: 'refresh_token', refresh_token: refreshToken }));
      if (answer.status === 200) refreshToken = (JSON.parse(answer.body) as { refresh_token: string }).refresh_token;
      return answer;
    },
    signup: async () => {
      const email = `fault-${crypto.randomBytes(4).toString('hex')}@example.com`;
      const visitor = new TestBrowser();
      const page = await visitor.request(`${idp.issuer}/signup`);
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
      const started = Date.now();
      probesTried++;
      const res = await visitor.request(`${idp.issuer}/signup`, {
        form: { _csrf: csrf, name: 'Fault', email, password }, headers: { 'x-forwarded-for': `10.9.${crypto.randomInt(255)}.${crypto.randomInt(255)}` },
      });
      const ms = Date.now() - started;
      slowest = Math.max(slowest, ms);
      if (res.status === 200) signedUp.push(email);
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ms, body: res.body };
    },
  } satisfies Record<string, () => Promise<Answer>>;
  type ProbeName = keyof typeof probes;

  function count(answer: Answer) {
    if (answer.status === 503) unavailable++;
    else if (answer.status >= 500) otherFiveHundreds++;
  }
  function expectUnavailable(name: string, answer: Answer) {
    count(answer);
    expect(answer.status, `${name}: ${answer.body.slice(0, 200)}`).toBe(503);
    expect(Number(answer.retryAfter), `${name} Retry-After`).toBeGreaterThan(0);
    expect(answer.body, name).toMatch(/try again|temporarily_unavailable|"ok":false/i);
    expect(answer.ms, `${name} took ${answer.ms} ms`).toBeLessThan(BOUND_MS);
  }
  function expectServed(name: string, answer: Answer) {
    count(answer);
    expect([200, 303], `${name}: ${answer.status} ${answer.body.slice(0, 200)}`).toContain(answer.status);
    expect(answer.ms, `${name} took ${answer.ms} ms`).toBeLessThan(BOUND_MS);
  }

  /** Every probe while the fault lasts (twice: before and after the breaker opens), then recovery. */
  async function duringFault(expectations: { served: ProbeName[]; unavailable: ProbeName[] }) {
    for (let round = 0; round < 2; round++) {
      for (const name of expectations.served) expectServed(name, await probes[name]());
      for (const name of expectations.unavailable) expectUnavailable(name, await probes[name]());
    }
  }

  async function recovers() {
    const deadline = Date.now() + 20_000;
    let ready = await probes.readyz();
    while (ready.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      ready = await probes.readyz();
    }
    expect(ready.status, 'the IdP is ready again after the fault').toBe(200);
    // A request or two may still meet a connection that died in the fault: retry each probe briefly.
    for (const name of Object.keys(probes) as ProbeName[]) {
      let answer = await probes[name]();
      for (let i = 0; answer.status === 503 && i < 10; i++) {
        await new Promise((r) => setTimeout(r, 300));
        answer = await probes[name]();
      }
      expectServed(name, answer);
    }
    // Nothing acknowledged is lost: every sign-up answered 200 so far is in the store.
    for (const email of signedUp) expect(await idp.services.accountsRepo.findByEmail(email), email).toBeTruthy();
  }

  it('everything answers before any fault', async () => {
    for (const name of Object.keys(probes) as ProbeName[]) expectServed(name, await probes[name]());
    expect(JSON.parse((await probes.readyz()).body)).toMatchObject({ ok: true, store: 'up' });
  });

  const storeDown = {
    served: ['discovery', 'jwks', 'healthz'] as ProbeName[],
    unavailable: ['readyz', 'account', 'accountApi', 'introspection', 'refresh', 'authorize', 'signup'] as ProbeName[],
  };

  it('PostgreSQL killed: 503 + Retry-After within the timeout where the store is needed, discovery and JWKS from memory; then recovery', async () => {
    await pg.kill();
    try {
      await duringFault(storeDown);
    } finally {
      await pg.restore();
    }
    await recovers();
  });

  it('PostgreSQL partitioned (frozen): the same, bounded by the statement and connect timeouts; then recovery', async () => {
    pg.freeze();
    try {
      await duringFault(storeDown);
    } finally {
      await pg.restore();
    }
    await recovers();
  });

  const redisDown = {
    // The token endpoint, introspection and the account API need no Redis (refresh tokens, API keys and
    // accounts are in the store; the API's failure limit counts in-process meanwhile).
    served: ['discovery', 'jwks', 'healthz', 'accountApi', 'introspection', 'refresh'] as ProbeName[],
    // The portal session, interactions and the sign-up limit live in Redis.
    unavailable: ['readyz', 'account', 'authorize', 'signup'] as ProbeName[],
  };

  it.runIf(testRedisUrl)('Redis killed: token endpoint, introspection and the account API keep working; sessions answer 503; then recovery', async () => {
    await redis!.kill();
    try {
      await duringFault(redisDown);
    } finally {
      await redis!.restore();
    }
    await recovers();
  });

  it.runIf(testRedisUrl)('Redis partitioned (frozen): the same, bounded by IDP_REDIS_TIMEOUT_MS; then recovery', async () => {
    redis!.freeze();
    try {
      await duringFault(redisDown);
    } finally {
      await redis!.restore();
    }
    await recovers();
  });
});
