/**
 * Prometheus metrics (IDP_METRICS_PORT): the real IdP on a random port with its metrics listener on
 * another; a relying party signs in with openid-client (after a wrong password), exchanges the code,
 * introspects the access token and an API key, someone guesses passwords until throttled, and an
 * account with 2FA signs in after a wrong code. The
 * scrape then shows every family with the values of what happened, route labels that are templates or
 * fixed names (never a path with an id), and the public port does not serve /metrics.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, type SeededClient } from '../helpers/clients.ts';
import { authorize, exchange } from '../helpers/oidc-sign-in.ts';
import { freePort } from '../helpers/databases.ts';
import { routeTable } from '../../idp/src/route-table.ts';
import { totp } from '../helpers/security.ts';

const metricsPort = await freePort();
const idp = useTestIdp({ env: { IDP_METRICS_PORT: String(metricsPort) } });
const email = 'ada@example.com';
const password = 'correct horse battery staple';
let client: SeededClient;
let config: oidc.Configuration;
let accountId: string;
let apiKey: string;

/** One sample line of the scrape: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  return { text, samples: parse(text) };
}

async function introspect(token: string) {
  const res = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { active: boolean };
}

beforeAll(async () => {
  accountId = (await idp.createAccount(email, password, 'Ada Lovelace')).id;
  // A database (a confidential client the account is a member of), so it may introspect the account's API key.
  const created = await idp.services.databases.create(accountId, {
    name: 'Metrics', url: 'http://localhost:9', redirectUris: ['http://localhost:9/callback'], postLogoutRedirectUris: ['http://localhost:9/'], tokenEndpointAuthMethod: 'client_secret_basic',
  }, { kind: 'account', accountId });
  client = { clientId: created.clientId, clientSecret: created.clientSecret!, redirectUri: 'http://localhost:9/callback' };
  config = await discoverClient(idp, client);
  await idp.services.apiKeys.enableDeveloperMode(accountId, { actor: accountId });
  apiKey = (await idp.services.apiKeys.create(accountId, { description: 'metrics', duration: '1d', scope: 'read', databases: null }, { actor: accountId })).secret;
});

describe('metrics on IDP_METRICS_PORT', () => {
  it('counts a sign-in, a wrong password, tokens, introspections, throttling and store queries, by template', async () => {
    const before = (await scrape()).samples;
    expect(value(before, 'idp_sign_ins_total')).toBe(0);

    // A wrong password first, on the interaction's own page, then the right one through openid-client.
    const browser = new TestBrowser();
    const loginUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const loginPage = await browser.follow(loginUrl, { stopAt: (u) => u.origin === 'http://localhost:9' });
    const refused = await browser.submit(loginPage, '/login', { email, password: 'not the password' });
    expect(refused.status).toBe(401);
    const uid = /\/interaction\/([^/"]+)\//.exec(loginPage.body)?.[1];
    expect(uid).toBeTruthy();

    const authorization = await authorize(new TestBrowser(), config, { redirectUri: client.redirectUri, credentials: { email, password } });
    const tokens = await exchange(config, authorization);
    expect(tokens.access_token).toBeTruthy();
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect((await introspect('not-a-token')).active).toBe(false);
    expect((await introspect(apiKey)).active).toBe(true);

    // Someone guessing another account's password from one address: the 11th attempt is throttled.
    const guesser = new TestBrowser();
    await idp.createAccount('grace@example.com', password);
    let page = await guesser.follow(loginUrl, { stopAt: (u) => u.origin === 'http://localhost:9' });
    for (let i = 0; i < 10; i++) {
      page = await guesser.submit(page, '/login', { email: 'grace@example.com', password: `guess number ${i}` });
      expect(page.status).toBe(401);
    }
    page = await guesser.submit(page, '/login', { email: 'grace@example.com', password: 'one more guess' });
    expect(page.status).toBe(429);

    // An account with 2FA: the code form (second factor required), a wrong code, then the right one.
    const { id: linusId } = await idp.createAccount('linus@example.com', password);
    const linus = (await idp.services.accounts.findById(linusId))!;
    const enrollment = await idp.services.security.twoFactor.startEnrollment(linus);
    await idp.services.security.twoFactor.confirmEnrollment(linus, totp(enrollment.secret));
    const twoFactor = new TestBrowser();
    const codeForm = await twoFactor.submit(await twoFactor.follow(loginUrl, { stopAt: (u) => u.origin === 'http://localhost:9' }), '/login', { email: 'linus@example.com', password });
    expect(codeForm.body).toContain('/second-factor');
    const wrongCode = await twoFactor.submit(codeForm, '/second-factor', { code: '000000' === totp(enrollment.secret, 1) ? '111111' : '000000' });
    expect(wrongCode.status).toBe(401);
    const signedIn = await twoFactor.submit(wrongCode, '/second-factor', { code: totp(enrollment.secret, 1) }, { stopAt: (u) => u.origin === 'http://localhost:9' });
    // Signed in, but not a member of this database: its no-access page, not the code form again.
    expect(signedIn.status).toBe(403);
    expect(signedIn.body).not.toContain('/second-factor');

    expect((await fetch(`${idp.issuer}/metrics`)).status).toBe(404);
    expect((await fetch(`${idp.issuer}/my/databases/db_doesnotexist`)).status).toBeLessThan(500);

    const { text, samples } = await scrape();
    for (const family of [
      'idp_http_requests_total', 'idp_http_request_duration_seconds', 'idp_sign_ins_total', 'idp_tokens_issued_total', 'idp_introspections_total',
      'idp_rate_limit_rejections_total', 'idp_store_query_duration_seconds', 'idp_store_query_errors_total', 'idp_mail_delivery_failures_total',
      'idp_mail_outbox_messages', 'idp_sessions_live', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, family).toMatch(new RegExp(`^# HELP ${family} \\S`, 'm'));
    }
    expect(value(samples, 'idp_sign_ins_total', { outcome: 'success' })).toBe(2);
    expect(value(samples, 'idp_sign_ins_total', { outcome: 'second_factor_required' })).toBe(1);
    expect(value(samples, 'idp_sign_ins_total', { outcome: 'second_factor_failed' })).toBe(1);
    expect(value(samples, 'idp_sign_ins_total', { outcome: 'wrong_password' })).toBe(11);
    expect(value(samples, 'idp_sign_ins_total', { outcome: 'throttled' })).toBe(1);
    expect(value(samples, 'idp_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(1);
    expect(value(samples, 'idp_introspections_total', { outcome: 'active' })).toBe(1);
    expect(value(samples, 'idp_introspections_total', { outcome: 'inactive' })).toBe(1);
    expect(value(samples, 'idp_introspections_total', { outcome: 'api_key_active' })).toBe(1);
    expect(value(samples, 'idp_rate_limit_rejections_total')).toBeGreaterThanOrEqual(1);
    for (const s of samples.filter((x) => x.name === 'idp_rate_limit_rejections_total')) expect(s.labels.limit).toMatch(/^signin:[a-z-]+$/);
    // Sessions are counted in the SQL store; with Redis (the postgres project) they live there, uncounted.
    expect(value(samples, 'idp_sessions_live')).toBe(idp.config.redisUrl ? 0 : 2);
    expect(value(samples, 'idp_mail_outbox_messages', { status: 'queued' })).toBe(0);
    const engine = { engine: idp.services.db.dialect };
    expect(value(samples, 'idp_store_query_duration_seconds_count', engine)).toBeGreaterThan(value(before, 'idp_store_query_duration_seconds_count', engine));
    expect(value(samples, 'idp_http_requests_total', { method: 'POST', route: '/interaction/:uid/login', status: '401' })).toBe(11);
    expect(value(samples, 'idp_http_requests_total', { method: 'POST', route: 'oidc:token', status: '200' })).toBe(1);
    expect(value(samples, 'idp_http_requests_total', { method: 'POST', route: 'oidc:introspection', status: '200' })).toBe(3);
    expect(value(samples, 'idp_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'idp_http_request_duration_seconds_count', { route: 'oidc:authorization' })).toBeGreaterThanOrEqual(3);

    // Route labels are templates, oidc-provider route names or the fixed names; no id anywhere.
    const templates = new Set(routeTable.map((r) => r.path));
    for (const s of samples.filter((x) => x.labels.route !== undefined)) {
      expect(templates.has(s.labels.route!) || /^oidc:[a-z_.]+$/.test(s.labels.route!) || ['unmatched', 'wrong_method', 'refused'].includes(s.labels.route!), s.labels.route).toBe(true);
    }
    for (const secretish of [uid!, accountId, client.clientId, 'db_doesnotexist', email, '127.0.0.1']) expect(text).not.toContain(secretish);
  }, 60_000);

  it('answers only GET /metrics on the metrics port', async () => {
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
