/**
 * Structured logs (IDP_LOG_FORMAT=json): the real `idp serve` as a child process, its stderr read line
 * by line, behind a trusted proxy (IDP_TRUST_PROXY=1) so a request id of ours is taken. A full journey:
 * sign-up, the confirmation link from the mail, portal sign-in, 2FA turned on with otplib, developer
 * mode and an API key, a database (its client secret) introspecting the key, a sign-in at the database
 * with password and TOTP code through openid-client, the code exchanged and refreshed at the token
 * endpoint. Then: every line is JSON with level and time; one access line per request with its id,
 * route template, status and duration; every id we were sent back is in the log; and no secret of the
 * journey (password, TOTP secret and codes, recovery codes, cookies, CSRF tokens, confirmation token,
 * authorization code, access/refresh/ID tokens, API key, client secret) appears in any line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runIdp } from '../helpers/cli.ts';
import { tempDir } from '../helpers/idp.ts';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { freePort } from '../helpers/databases.ts';
import { totp } from '../helpers/security.ts';
import { discover } from '../helpers/oidc-sign-in.ts';

const email = 'margaret@example.com';
const password = 'a sufficiently long passphrase';
const KEYS = '/my/security/api-keys';
let dataDir: string;
let issuer: string;
let idp: ChildProcess;
let stderr = '';
/** Every value that must never be logged, with what it is (for the failure message). */
const secrets = new Map<string, string>();
/** X-Request-Id of every response the journey got. */
const echoedIds = new Set<string>();
const browsers: TestBrowser[] = [];

function keep(what: string, value: string | undefined): void {
  expect(value, what).toBeTruthy();
  secrets.set(value!, what);
}

/** Every form's hidden CSRF token on a page, and the response's request id. */
function observe(page: PageResponse): PageResponse {
  const id = page.headers.get('x-request-id');
  expect(id, page.url).toBeTruthy();
  echoedIds.add(id!);
  for (const m of page.body.matchAll(/name="_csrf" value="([^"]+)"/g)) keep('a CSRF token', m[1]);
  return page;
}

function newBrowser(): TestBrowser {
  const browser = new TestBrowser();
  browsers.push(browser);
  // Wrap request so every page the journey sees is observed (ids echoed, CSRF tokens collected).
  const request = browser.request.bind(browser);
  browser.request = async (input, init) => observe(await request(input, init));
  return browser;
}

/** The link to `pathPrefix` in the newest .eml written to the outbox for `to` (quoted-printable decoded). */
async function mailedLink(to: string, pathPrefix: string): Promise<URL> {
  const outbox = path.join(dataDir, 'outbox');
  const end = Date.now() + 15_000;
  for (;;) {
    const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort() : [];
    for (const file of files.reverse()) {
      const raw = fs.readFileSync(path.join(outbox, file), 'utf8');
      const text = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      const link = text.includes(to) ? text.match(new RegExp(`https?://\\S+${pathPrefix.replace(/[/?]/g, '\\$&')}\\S*`))?.[0] : undefined;
      if (link) return new URL(link);
    }
    if (Date.now() > end) throw new Error(`no ${pathPrefix} mail to ${to} in ${outbox}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dataDir = tempDir('latchkey-logs-');
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  idp = spawn(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_WORKERS: '1', NODE_ENV: 'development',
      IDP_LOG_FORMAT: 'json', IDP_LOG_LEVEL: 'debug', IDP_TRUST_PROXY: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  idp.stderr!.on('data', (d) => (stderr += d));
  const end = Date.now() + 30_000;
  while (!stderr.includes('IdP listening on')) {
    if (Date.now() > end || idp.exitCode !== null) throw new Error(`the IdP did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(() => {
  if (idp && idp.exitCode === null) idp.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('JSON logs of a full journey', () => {
  it('writes one JSON line per request with its id, and never a secret', async () => {
    keep('the password', password);
    const browser = newBrowser();

    // Sign-up and the confirmation link.
    const signup = await browser.request(`${issuer}/signup`);
    const signedUp = await browser.submit(signup, '/signup', { name: 'Margaret', email, password });
    expect(signedUp.body).toContain('Check your inbox');

    // Portal sign-in, the confirmation link, then 2FA on.
    const login = await browser.follow(`${issuer}/my/login`);
    const account = await browser.submit(login, '/login', { email, password });
    expect(account.status, account.body.slice(0, 300)).toBe(200);
    const link = await mailedLink(email, '/verify-email');
    keep('the confirmation token', link.searchParams.get('token') ?? undefined);
    const confirm = await browser.request(link);
    expect((await browser.submit(confirm, '/verify-email', {})).body).toContain('is confirmed');
    const security = await browser.request(`${issuer}/my/security`);
    const enroll = await browser.submit(security, '/my/security/2fa/start', {});
    const secret = enroll.body.match(/id="totp-secret">([A-Z2-7]+)</)?.[1];
    keep('the TOTP secret', secret);
    const firstCode = totp(secret!);
    keep('a TOTP code', firstCode);
    const enabled = await browser.submit(enroll, '/my/security/2fa/confirm', { code: firstCode });
    expect(enabled.status).toBe(200);
    const recoveryCodes = [...enabled.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) keep('a recovery code', code);

    // Developer mode and an API key (the sign-in is recent: no re-authentication asked).
    const keysPage = await browser.request(`${issuer}${KEYS}`);
    const on = await browser.submit(keysPage, `${KEYS}/developer-mode`, {});
    const created = await browser.submit(on, `${KEYS}/new`, { description: 'nightly export', duration: '1w', scope: 'read', database_access: 'all' });
    expect(created.status, created.body.slice(0, 500)).toBe(201);
    const apiKey = created.body.match(/lk_[a-z2-7]{10}_[A-Za-z0-9_-]{43}/)?.[0];
    keep('the API key', apiKey);

    // A database of this account (made by the operator command), introspecting the key.
    const db = await runIdp(['database', 'create', '--owner', email, '--name', 'Ledger', '--url', 'http://localhost:9', '--redirect-uri', 'http://localhost:9/callback'], { IDP_DATA_DIR: dataDir });
    expect(db.code, db.stderr).toBe(0);
    const { client_id: clientId, client_secret: clientSecret } = db.json<{ client_id: string; client_secret: string }>();
    keep('the client secret', clientSecret);
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const introspected = await fetch(`${issuer}/token/introspection`, {
      method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'proxy-trace.0001' }, body: new URLSearchParams({ token: apiKey! }),
    });
    expect(introspected.headers.get('x-request-id')).toBe('proxy-trace.0001');
    echoedIds.add('proxy-trace.0001');
    expect(((await introspected.json()) as { active: boolean }).active).toBe(true);
    // An id that is not well formed is replaced, never echoed or logged.
    const odd = await fetch(`${issuer}/healthz`, { headers: { 'x-request-id': 'two words' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    echoedIds.add(odd.headers.get('x-request-id')!);

    // Signing in at the database in a new browser: password, then the TOTP code; then the token endpoint.
    const config = await discover(issuer, clientId, clientSecret);
    const rp = newBrowser();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:9/callback', scope: 'openid email offline_access', prompt: 'consent', state: 's', nonce: 'n', code_challenge_method: 'S256',
      code_challenge: await oidc.calculatePKCECodeChallenge('a'.repeat(43)),
    });
    const stopAt = (u: URL) => u.origin === 'http://localhost:9';
    const rpLogin = await rp.follow(url, { stopAt });
    const codeForm = await rp.submit(rpLogin, '/login', { email, password }, { stopAt });
    expect(codeForm.body).toContain('/second-factor');
    const secondCode = totp(secret!, 1); // the next period's code: the first one was spent
    keep('a TOTP code', secondCode);
    let back = await rp.submit(codeForm, '/second-factor', { code: secondCode }, { stopAt });
    if (back.status === 200 && back.body.includes('/confirm"')) back = await rp.submit(back, '/confirm', {}, { stopAt });
    const callback = new URL(back.location!);
    keep('the authorization code', callback.searchParams.get('code') ?? undefined);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: 'a'.repeat(43), expectedState: 's', expectedNonce: 'n' });
    keep('the access token', tokens.access_token);
    keep('the refresh token', tokens.refresh_token);
    keep('the ID token', tokens.id_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    keep('the refreshed access token', refreshed.access_token);
    keep('the rotated refresh token', refreshed.refresh_token);

    for (const b of browsers) {
      for (const cookies of b.cookies.values()) for (const [name, value] of cookies) if (value.length >= 8) keep(`the cookie ${name}`, value);
    }

    // Let the last access lines and the mail sender's lines arrive.
    await new Promise((r) => setTimeout(r, 500));
    const lines = stderr.split('\n').filter(Boolean);
    const entries = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    for (const entry of entries) {
      expect(['debug', 'info', 'warn', 'error']).toContain(entry.level);
      expect(Date.parse(String(entry.time))).not.toBeNaN();
      expect(typeof entry.msg).toBe('string');
    }
    const requests = entries.filter((e) => e.msg === 'request');
    for (const r of requests) {
      expect(r.reqId, JSON.stringify(r)).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      expect(typeof r.route).toBe('string');
      expect(r.route).not.toMatch(/[?=]|\/(db|acct|key)_/);
      expect(typeof r.status).toBe('number');
      expect(typeof r.durationMs).toBe('number');
    }
    // One access line per response we saw, found by the id it echoed (ours from the proxy included).
    const logged = new Set(requests.map((r) => r.reqId));
    for (const id of echoedIds) expect(logged.has(id), `request ${id} has no access line`).toBe(true);
    expect(requests.filter((r) => r.reqId === 'proxy-trace.0001').map((r) => r.route)).toEqual(['oidc:introspection']);
    expect(stderr).not.toContain('two words');
    expect(requests.some((r) => r.route === 'oidc:token' && r.status === 200)).toBe(true);
    expect(requests.some((r) => r.route === '/interaction/:uid/second-factor')).toBe(true);
    // Lines written outside any request are the start-up's and the mail sender's; the rest carry an id.
    for (const e of entries.filter((x) => x.reqId === undefined)) {
      expect(String(e.msg), JSON.stringify(e)).toMatch(/^(IdP listening on|discovery:|issuer |IDP_\w+ is not set|mail "|maintenance)/);
    }

    expect(secrets.size).toBeGreaterThan(20);
    for (const line of lines) {
      for (const [value, what] of secrets) {
        const found = /^\d+$/.test(value) ? new RegExp(`(?<!\\d)${value}(?!\\d)`).test(line) : line.includes(value);
        expect(found, `${what} appears in the log line ${line}`).toBe(false);
      }
    }
  }, 120_000);
});
