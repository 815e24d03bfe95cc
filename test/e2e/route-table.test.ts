/**
 * Bad input on every route of the table, against the real IdP: signed in (recently) with a valid CSRF
 * token, an API key or a database token as the route needs, each route gets what its own schemas refuse
 * (missing fields, wrong types, oversize strings, params like `a%00`, an oversize body) and must answer
 * a 4xx with a sentence a person understands, never a 5xx. Cases are derived from the declarations, so
 * a new route is covered the day it is listed. Inputs the schemas accept are never sent (they would
 * act), except on routes without input, which get junk and must still not fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Route } from '../../idp/src/http/route.ts';
import { routeTable } from '../../idp/src/route-table.ts';
import { seedRouteFixtures } from '../helpers/route-fixtures.ts';
import { passkeyRepository } from '../../idp/src/passkeys/passkey-repository.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { portalSignIn } from '../helpers/security.ts';

let idp: TestIdp;
const password = 'correct horse battery staple';
const portal = new TestBrowser();
const signedOut = new TestBrowser();
let portalCsrf = '';
let signedOutCsrf = '';
let interactionUid = '';
let apiKey = '';
let databaseToken = '';
let ids: string[] = [];

const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';

beforeAll(async () => {
  idp = await startTestIdp();
  const account = await idp.createAccount('bad-input@example.com', password);
  await portalSignIn(idp, portal, account.email, password);
  portalCsrf = csrfOf((await portal.request(`${idp.issuer}/my/account`)).body);
  expect(portalCsrf).not.toBe('');

  // A live interaction for the signed-out browser: the portal's own sign-in page.
  const login = await signedOut.follow(`${idp.issuer}/my/login`);
  interactionUid = new URL(login.url).pathname.split('/')[2]!;
  signedOutCsrf = csrfOf(login.body);
  expect(signedOutCsrf).not.toBe('');

  const fixtures = await seedRouteFixtures(idp, account.id, { host: 'badinput.example', name: 'Badinput', backchannel: true });
  ({ apiKey, databaseToken } = fixtures);
  // A stored passkey (not a usable one: only its id matters), so rename and delete reach their body schemas.
  const passkey = {
    id: 'pk_badinputAAAAAAAAAAAA', accountId: account.id, credentialId: 'AAAA', publicKey: 'AAAA', signCount: 0, transports: [],
    backupEligible: false, backupState: false, aaguid: '00000000-0000-0000-0000-000000000000', name: 'Bad input', createdAt: 0, lastUsedAt: null,
  };
  expect(await passkeyRepository(idp.services.db).insertUnderLimit(passkey, 20)).toBe(true);
  ids = [fixtures.databaseId, fixtures.membershipId, 'key_AAAAAAAAAAAAAAAA', interactionUid, passkey.id];

});
afterAll(async () => {
  await idp?.close();
});

interface Case {
  what: string;
  params: Record<string, string>;
  query?: string;
  form?: Record<string, string>;
  json?: string;
}

const huge = 'x'.repeat(5000);
const refuses = (schema: z.ZodType | undefined, value: unknown) => Boolean(schema && !schema.safeParse(value).success);
const paramNames = (route: Route) => route.path.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));

/** Params the route's schema accepts (real ids of this test's account), so body and query cases reach their schemas. */
function goodParams(route: Route): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of paramNames(route)) {
    params[name] = ids.find((id) => {
      const result = route.input.params?.safeParse({ ...params, [name]: id, ...Object.fromEntries(paramNames(route).filter((n) => !(n in params) && n !== name).map((n) => [n, ids[0]!])) });
      return !result || result.success || !result.error.issues.some((i) => i.path[0] === name);
    }) ?? ids[0]!;
  }
  return params;
}

/** Field names of an object schema (through a preprocess step), for per-field cases. */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  const def = (schema as unknown as { def?: { shape?: Record<string, unknown>; out?: { def?: { shape?: Record<string, unknown> } } } } | undefined)?.def;
  return Object.keys(def?.shape ?? def?.out?.def?.shape ?? {});
}

function casesFor(route: Route): Case[] {
  const params = goodParams(route);
  const cases: Case[] = [];
  for (const name of paramNames(route)) {
    for (const bad of ['a%00', 'x'.repeat(300), '%ZZ']) {
      const value = decodeURIComponentSafe(bad);
      if (name === 'uid' || refuses(route.input.params, { ...params, [name]: value })) cases.push({ what: `param ${name}=${bad.slice(0, 8)}`, params: { ...params, [name]: bad } });
    }
  }
  const { body, query } = route.input;
  if (route.method !== 'GET' && body) {
    if (refuses(body, {})) cases.push({ what: 'missing fields', params, form: {} });
    cases.push({ what: 'body that is not an object', params, json: '[1]' });
    cases.push({ what: 'oversize body', params, form: { filler: 'y'.repeat(70 * 1024) } });
    for (const field of fieldsOf(body)) {
      for (const [what, value] of [['oversize', huge], ['number', 7], ['object', { a: 1 }], ['list', ['a', 'b']]] as const) {
        if (refuses(body, { [field]: value })) {
          cases.push(typeof value === 'string' ? { what: `${what} ${field}`, params, form: { [field]: value } } : { what: `${what} ${field}`, params, json: JSON.stringify({ [field]: value }) });
        }
      }
    }
  }
  if (query) {
    for (const field of fieldsOf(query)) {
      if (refuses(query, { [field]: huge })) cases.push({ what: `oversize ?${field}`, params, query: `${field}=${huge}` });
      if (refuses(query, { [field]: ['a', 'b'] })) cases.push({ what: `repeated ?${field}`, params, query: `${field}=a&${field}=b` });
    }
    if (refuses(query, {})) cases.push({ what: 'missing query', params });
  }
  return cases;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function send(route: Route, c: Case): Promise<{ status: number; type: string; body: string }> {
  const path = route.path.replace(/:([a-z]+)/gi, (_, name: string) => c.params[name]!);
  const url = new URL(`${idp.issuer}${path}${c.query ? `?${c.query}` : ''}`);
  const names = route.guards.map((g) => g.name);
  const browser = names.includes('interaction') ? signedOut : portal;
  const headers: Record<string, string> = { accept: 'text/html', origin: url.origin, 'user-agent': browser.userAgent };
  if (names.some((n) => n.startsWith('api-caller:'))) headers.authorization = `Bearer ${apiKey}`;
  else if (names.some((n) => n.startsWith('database-token:'))) headers.authorization = `Bearer ${databaseToken}`;
  else {
    headers.cookie = [...(browser.cookies.get(url.host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
    headers['x-csrf-token'] = browser === signedOut ? signedOutCsrf : portalCsrf;
  }
  let body: string | undefined;
  if (c.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = c.json;
  } else if (c.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(c.form).toString();
  }
  const res = await fetch(url, { method: route.method, headers, body, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The sentence the answer shows a person: the JSON `message`, or the error notice / field error of the page. */
function sentenceOf(res: { type: string; body: string }): string {
  if (res.type.includes('json')) return String((JSON.parse(res.body) as { message?: unknown }).message ?? '');
  const notice = res.body.match(/class="(?:notice error|field-error)"[^>]*>([^<]+)</);
  return (notice?.[1] ?? '').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('bad input on every route', () => {
  it('derives at least one refused case for every route with a body or params', () => {
    for (const route of routeTable) {
      if (!route.input.body && !route.input.params) continue;
      expect(casesFor(route).length, `${route.method} ${route.path}`).toBeGreaterThan(0);
    }
  });

  for (const route of routeTable) {
    it(`${route.method} ${route.path}`, async () => {
      const cases = casesFor(route);
      for (const c of cases) {
        const res = await send(route, c);
        const label = `${route.method} ${route.path} (${c.what}): ${res.status} ${res.body.slice(0, 200)}`;
        expect(res.status, label).toBeGreaterThanOrEqual(400);
        expect(res.status, label).toBeLessThan(500);
        const sentence = sentenceOf(res);
        expect(sentence, label).toMatch(/^[A-Z"].{8,}[.!?]$/);
        expect(sentence, label).not.toMatch(/expected|received|Invalid input|Too big|undefined/);
      }
      if (cases.length === 0) {
        // Nothing to refuse: junk must not break it either.
        const res = await send(route, { what: 'junk', params: goodParams(route), query: `x=%00&y=${'z'.repeat(3000)}` });
        expect(res.status, `${route.method} ${route.path}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
    });
  }
});

describe('the re-authentication page', () => {
  it('carries the non-secret fields of the form, never a password', async () => {
    const { advance, resetClock } = await import('../helpers/security.ts');
    advance(11 * 60);
    try {
      const security = await portal.request(`${idp.issuer}/my/security`);
      const ask = await portal.submit(security, '/my/security/password', { current_password: 'old secret words', new_password: 'brand new secret words' });
      expect(ask.status).toBe(401);
      expect(ask.body).toContain('Confirm it is you');
      expect(ask.body).not.toContain('secret words');
      expect(ask.body).not.toMatch(/name="(current_password|new_password)"/);

      const account = await portal.request(`${idp.issuer}/my/account`);
      const askEmail = await portal.submit(account, '/my/account/email', { email: 'kept@example.com' });
      expect(askEmail.status).toBe(401);
      expect(askEmail.body).toContain('name="email" value="kept@example.com"');
    } finally {
      resetClock();
    }
  });
});
