/**
 * Property-based fuzzing of every route (issue 20): each route of our route table and each endpoint of
 * oidc-provider gets a bounded number of generated requests (fast-check, seeded so a failure replays)
 * with arbitrary params, query, form, JSON or raw bodies, headers that lie (content type, encoding,
 * Host), NUL, overlong and lone-surrogate bytes, huge values, and the credentials the route needs
 * (a recently signed-in portal browser with a valid CSRF token, an API key, a database token, a
 * registered client's secret). The property: no answer is a 5xx and none takes longer than HANG_MS.
 * Runs on SQLite in the `node` project and on PostgreSQL (+ Redis) in the `postgres` project.
 *
 * FUZZ_SEED and FUZZ_RUNS (cases per route) override the defaults, e.g. to replay a reported failure.
 */
import { seedRouteFixtures } from '../helpers/route-fixtures.ts';
import crypto from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Route } from '../../idp/src/http/route.ts';
import { routeTable } from '../../idp/src/route-table.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { seedClient, type SeededClient } from '../helpers/clients.ts';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { portalSignIn } from '../helpers/security.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** An answer slower than this is a hang. */
const HANG_MS = 10_000;

let idp: TestIdp;
let port = 0;
const password = 'correct horse battery staple';
const portal = new TestBrowser();
const signedOut = new TestBrowser();
let portalCsrf = '';
let signedOutCsrf = '';
let apiKey = '';
let databaseToken = '';
let client: SeededClient;
let ids: string[] = [];
const tally = { requests: 0, fiveHundreds: 0, hangs: 0, slowestMs: 0 };

const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';

beforeAll(async () => {
  idp = await startTestIdp({ IDP_TRUST_PROXY: '1' });
  port = Number(new URL(idp.url).port);
  const account = await idp.createAccount('fuzz@example.com', password);
  await portalSignIn(idp, portal, account.email, password);
  portalCsrf = csrfOf((await portal.request(`${idp.issuer}/my/account`)).body);
  expect(portalCsrf).not.toBe('');
  const login = await signedOut.follow(`${idp.issuer}/my/login`);
  const interactionUid = new URL(login.url).pathname.split('/')[2]!;
  signedOutCsrf = csrfOf(login.body);

  const fixtures = await seedRouteFixtures(idp, account.id, { host: 'fuzzed.example', name: 'Fuzzed' });
  ({ apiKey, databaseToken } = fixtures);
  ids = [fixtures.databaseId, fixtures.membershipId, 'key_AAAAAAAAAAAAAAAA', interactionUid, crypto.randomUUID()];
  client = await seedClient(idp, { first_party: true, grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
});

afterAll(async () => {
  await idp?.close();
  console.log(`fuzz: seed ${SEED}, ${RUNS} cases per route, ${tally.requests} requests, ${tally.fiveHundreds} 5xx, ${tally.hangs} hangs, slowest ${tally.slowestMs} ms`);
});

// ---- generators ------------------------------------------------------------------------------------

/** Percent-encodes bytes (every byte, so any byte sequence, valid UTF-8 or not, can be sent). */
const pct = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const rawEscapes = ['', 'a%00b', '%00', '%C0%80', '%ED%A0%80', '%FF%FE', 'caf%C3', '%ZZ', '..%2F..%2F', '%2e%2e', '%', '%%'];
const texts = ['null', 'undefined', '0', '-1', '1e309', 'true', '[]', '{}', '__proto__', 'constructor', "' OR 1=1 --", '<script>x</script>', 'x'.repeat(3000)];
const specials = [...rawEscapes, ...texts.map(encodeURIComponent)];

/** An already-encoded component: ordinary text, arbitrary code points, arbitrary bytes, or a known troublemaker. */
const encodedValue = (): fc.Arbitrary<string> => fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => pct(Buffer.from(s, 'utf8'))),
  fc.uint8Array({ maxLength: 24 }).map(pct),
  fc.constantFrom(...specials),
  fc.constantFrom(...ids).map(encodeURIComponent), // ids exist once beforeAll ran
);

/** A JSON value with arbitrary strings (JSON.stringify escapes lone surrogates as \udxxx). */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00b', 'x'.repeat(5000), ''),
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

const fieldsOf = (schema: z.ZodType | undefined): string[] => {
  const def = (schema as unknown as { def?: { shape?: Record<string, unknown>; out?: { def?: { shape?: Record<string, unknown> } } } } | undefined)?.def;
  return Object.keys(def?.shape ?? def?.out?.def?.shape ?? {});
};

/** Field names worth sending: the schema's own (so values reach validation), OAuth's, and random ones. */
const OAUTH_FIELDS = ['client_id', 'client_secret', 'grant_type', 'code', 'refresh_token', 'redirect_uri', 'scope', 'token', 'token_type_hint',
  'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'code_verifier', 'request', 'request_uri', 'id_token_hint',
  'post_logout_redirect_uri', 'access_token', 'resource', 'prompt', 'max_age', 'claims', 'xsrf', 'logout', 'client_assertion', 'dpop_jkt'];
const fieldName = (known: string[]) => fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...(known.length ? known : OAUTH_FIELDS)) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('_csrf', 'a%00', '%ED%A0%80', 'x[]', 'x[y]', '__proto__') },
);

interface Generated {
  params: string[];
  query: [string, string][];
  body:
    | { kind: 'none' }
    | { kind: 'form'; fields: [string, string][] }
    | { kind: 'json'; value: Record<string, unknown> | unknown[] | string }
    | { kind: 'raw'; type: string; bytes: Uint8Array };
  lie: 'none' | 'encoding' | 'host' | 'bad-host' | 'type';
  credentials: boolean;
  /** Accept JSON rather than HTML. */
  json: boolean;
}

function requestArbitrary(paramCount: number, known: string[]): fc.Arbitrary<Generated> {
  const pairs = fc.array(fc.tuple(fieldName(known), encodedValue()), { maxLength: 6 });
  return fc.record({
    params: fc.array(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...ids).map(encodeURIComponent) }, { weight: 3, arbitrary: encodedValue().filter((v) => v !== '' && !v.includes('/')) }), { minLength: paramCount, maxLength: paramCount }),
    query: pairs,
    body: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      pairs.map((fields) => ({ kind: 'form' as const, fields })),
      fc.oneof(
        fc.dictionary(fieldName(known), jsonValue, { maxKeys: 5 }),
        fc.array(jsonValue, { maxLength: 3 }),
        fc.constantFrom('{not json', '"just a string"', '{"a":', '1'),
      ).map((value) => ({ kind: 'json' as const, value })),
      fc.record({ type: fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/json', 'application/x-www-form-urlencoded', ''), bytes: fc.uint8Array({ maxLength: 200 }) })
        .map(({ type, bytes }) => ({ kind: 'raw' as const, type, bytes })),
    ),
    lie: fc.constantFrom('none', 'none', 'none', 'encoding', 'host', 'bad-host', 'type'),
    credentials: fc.boolean(),
    json: fc.boolean(),
  });
}

// ---- sending ---------------------------------------------------------------------------------------

type Who = 'portal' | 'interaction' | 'api-key' | 'database-token' | 'client' | 'anonymous';

function whoFor(route: Route): Who {
  const names = route.guards.map((g) => g.name);
  if (names.includes('interaction')) return 'interaction';
  if (names.some((n) => n.startsWith('api-caller:'))) return 'api-key';
  if (names.some((n) => n.startsWith('database-token:'))) return 'database-token';
  return 'portal';
}

async function send(method: string, path: string, who: Who, g: Generated): Promise<number> {
  const query = g.query.map(([k, v]) => `${k}=${v}`).join('&');
  const headers: Record<string, string> = { host: `localhost:${port}`, accept: g.json ? 'application/json' : 'text/html', origin: idp.issuer, 'user-agent': portal.userAgent };
  if (g.credentials || who !== 'client') {
    if (who === 'api-key') headers.authorization = `Bearer ${apiKey}`;
    else if (who === 'database-token') headers.authorization = `Bearer ${databaseToken}`;
    else if (who === 'client') headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    else if (who === 'portal' || who === 'interaction') {
      const browser = who === 'interaction' ? signedOut : portal;
      headers.cookie = [...(browser.cookies.get(`localhost:${port}`) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
      headers['x-csrf-token'] = who === 'interaction' ? signedOutCsrf : portalCsrf;
    }
  }
  let body: Buffer | undefined;
  if (g.body.kind === 'form') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = Buffer.from(g.body.fields.map(([k, v]) => `${k}=${v}`).join('&'));
  } else if (g.body.kind === 'json') {
    headers['content-type'] = 'application/json';
    body = Buffer.from(typeof g.body.value === 'string' ? g.body.value : JSON.stringify(g.body.value));
  } else if (g.body.kind === 'raw') {
    if (g.body.type) headers['content-type'] = g.body.type;
    body = Buffer.from(g.body.bytes);
  }
  if (g.lie === 'encoding') headers['content-encoding'] = 'gzip';
  if (g.lie === 'host') headers.host = 'localhost:99999';
  if (g.lie === 'bad-host') headers.host = '[::1';
  if (g.lie === 'type' && body) headers['content-type'] = 'application/json';
  if (body) headers['content-length'] = String(body.length);

  const started = Date.now();
  tally.requests++;
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: `${path}${query ? `?${query}` : ''}`, headers, setHost: false, timeout: HANG_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => {
      tally.hangs++;
      req.destroy(new Error(`${method} ${path} did not answer within ${HANG_MS} ms`));
    });
    req.on('error', reject);
    req.end(body);
  });
  const ms = Date.now() - started;
  tally.slowestMs = Math.max(tally.slowestMs, ms);
  if (status >= 500) tally.fiveHundreds++;
  return status;
}

/** One fast-check property per endpoint: `RUNS` generated requests, none 5xx, none hanging. */
async function fuzz(index: number, method: string, pathTemplate: string, who: Who, known: string[]): Promise<void> {
  const paramCount = (pathTemplate.match(/:[a-z]+/gi) ?? []).length;
  await fc.assert(
    fc.asyncProperty(requestArbitrary(paramCount, known), async (g) => {
      let i = 0;
      const path = pathTemplate.replace(/:[a-z]+/gi, () => g.params[i++]!);
      const status = await send(method, path, who, g);
      expect(status, `${method} ${path}`).toBeLessThan(500);
    }),
    { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
  );
}

// Routes that end the fuzzer's own credentials (developer mode off revokes the API keys; deleting the
// account or signing out other devices) go last, so the others are fuzzed signed in.
const LAST = /developer-mode\/off|security\/delete|logout-others|devices\/:id\/logout|api-keys\/:id\/(revoke|rotate)|\/delete$|\/leave$|\/transfer$/;
const ordered = [...routeTable].sort((a, b) => Number(LAST.test(a.path)) - Number(LAST.test(b.path)));

/** oidc-provider's endpoints (the ones our table leaves to it), with the credentials each takes. */
const providerEndpoints: [method: string, path: string, who: Who][] = [
  ['GET', '/.well-known/openid-configuration', 'anonymous'], ['GET', '/jwks', 'anonymous'],
  ['GET', '/auth', 'portal'], ['POST', '/auth', 'portal'],
  ['POST', '/token', 'client'], ['POST', '/token/introspection', 'client'], ['POST', '/token/revocation', 'client'],
  ['POST', '/request', 'client'], ['GET', '/me', 'anonymous'], ['POST', '/me', 'anonymous'],
  ['GET', '/session/end', 'portal'], ['POST', '/session/end', 'portal'], ['POST', '/session/end/confirm', 'portal'],
  ['POST', '/reg', 'anonymous'], ['GET', '/reg/:id', 'anonymous'], ['GET', '/interaction/:uid', 'interaction'],
];

describe('fuzzing every route (no 5xx, no hang)', () => {
  ordered.forEach((route, index) => {
    it(`${route.method} ${route.path}`, async () => {
      await fuzz(index, route.method, route.path, whoFor(route), [...fieldsOf(route.input.body), ...fieldsOf(route.input.query)]);
    });
  });
  providerEndpoints.forEach(([method, path, who], index) => {
    it(`oidc-provider ${method} ${path}`, async () => {
      await fuzz(1000 + index, method, path, who, OAUTH_FIELDS);
    });
  });
});
