/**
 * The transport rule at the edge (issue 20, http/transport.ts), against the real IdP, on our routes and
 * oidc-provider's: compressed bodies, NUL and invalid UTF-8 in any parameter, malformed Host headers and
 * oversize bodies get a clear 4xx (an OAuth error body on OAuth endpoints, our page or JSON elsewhere),
 * before CSRF and without a stack trace in the log; well-formed requests pass untouched.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../idp/src/log.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
let port = 0;
beforeAll(() => {
  port = Number(new URL(idp.url).port);
});
afterEach(() => vi.restoreAllMocks());

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over node:http with exactly these headers and body bytes (fetch would fix them up). */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = http.request({
      host: '127.0.0.1', port, method, path, setHost: false,
      headers: { host: `localhost:${port}`, accept: 'application/json', ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };

function expectOAuthError(res: Raw, status: number) {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = JSON.parse(res.body) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_request');
  expect(body.error_description).toMatch(/[a-z]{3,} .*\./i);
}

describe('Content-Encoding', () => {
  it('refuses a compressed body with 415 on our routes, anonymously, before CSRF and without a stack in the log', async () => {
    const warn = vi.spyOn(log, 'warn');
    for (const encoding of ['gzip', 'deflate', 'br', 'x-unknown']) {
      const res = await send('POST', '/signup', { headers: { ...form, 'content-encoding': encoding, accept: 'text/html' }, body: 'x' });
      expect(res.status, encoding).toBe(415);
      expect(res.headers['accept-encoding']).toBe('identity');
      expect(res.body).toMatch(/must not be compressed/);
    }
    // A well-formed gzip body is refused the same way: compressed bodies are not part of the protocol.
    const gz = await send('POST', '/signup', { headers: { ...form, 'content-encoding': 'gzip' }, body: zlib.gzipSync('email=a%40b.c') });
    expect(gz.status).toBe(415);
    expect(JSON.parse(gz.body)).toMatchObject({ error: 'unsupported_media_type' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses it with an OAuth error body on oidc-provider endpoints', async () => {
    for (const path of ['/token', '/token/introspection', '/token/revocation', '/request', '/reg']) {
      expectOAuthError(await send('POST', path, { headers: { ...form, 'content-encoding': 'deflate' }, body: 'x' }), 415);
    }
  });

  it('lets `identity` through', async () => {
    const res = await send('POST', '/token', { headers: { ...form, 'content-encoding': 'identity' }, body: 'grant_type=client_credentials&client_id=nobody' });
    expect(res.status).toBeLessThan(500);
    expect(JSON.parse(res.body).error).not.toBe('invalid_request');
  });
});

describe('NUL and invalid UTF-8', () => {
  const bad = ['a%00b', '%C0%80', '%ED%A0%80', '%FF', 'caf%C3'];

  it('are refused in form bodies of oidc-provider endpoints with an OAuth 400', async () => {
    for (const value of bad) {
      expectOAuthError(await send('POST', '/token', { headers: form, body: `grant_type=client_credentials&client_id=${value}` }), 400);
      expectOAuthError(await send('POST', '/token', { headers: form, body: `grant_type=authorization_code&code=${value}&client_id=x` }), 400);
      expectOAuthError(await send('POST', '/token/introspection', { headers: form, body: `token=${value}&client_id=x` }), 400);
      expectOAuthError(await send('POST', '/token/revocation', { headers: form, body: `token=${value}&client_id=x` }), 400);
      expectOAuthError(await send('POST', '/request', { headers: form, body: `client_id=${value}` }), 400);
      expectOAuthError(await send('POST', '/me', { headers: form, body: `access_token=${value}` }), 400);
    }
    // Raw bytes, not percent-encoded: a NUL and a stray continuation byte.
    expectOAuthError(await send('POST', '/token', { headers: form, body: Buffer.from([...Buffer.from('client_id=a'), 0x00]) }), 400);
    expectOAuthError(await send('POST', '/token', { headers: form, body: Buffer.from([...Buffer.from('client_id=a'), 0x80]) }), 400);
  });

  it('are refused in the query of oidc-provider endpoints with an OAuth 400', async () => {
    for (const value of bad) {
      expectOAuthError(await send('GET', `/auth?client_id=${value}&response_type=code`), 400);
      expectOAuthError(await send('GET', `/session/end?client_id=${value}`), 400);
      expectOAuthError(await send('GET', `/me?access_token=${value}`), 400);
    }
  });

  it('are refused in path params and JSON strings of our routes with our JSON 400', async () => {
    const res = await send('DELETE', '/api/database/members/a%00', { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/NUL/) });
    for (const text of ['{"name":"a\\u0000b"}', '{"a\\u0000":1}', '{"name":["\\ud800"]}', '{"x":"\\udc00y"}']) {
      const r = await send('POST', '/api/v1/api-keys/key_AAAAAAAAAAAAAAAA/rotate', { headers: { ...json, authorization: 'Bearer x' }, body: text });
      expect(r.status, text).toBe(400);
      expect(JSON.parse(r.body).message).toMatch(/NUL|surrogate/);
    }
    const raw = await send('POST', '/api/v1/devices/logout-others', { headers: { ...json, authorization: 'Bearer x' }, body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]) });
    expect(raw.status).toBe(400);
    // A well-formed surrogate pair and accented text are fine (the route then asks for a valid key).
    const fine = await send('POST', '/api/v1/devices/logout-others', { headers: { ...json, authorization: 'Bearer x' }, body: '{"a":"caf\u00e9 \ud83d\ude00"}' });
    expect(fine.status).toBe(401);
  });

  it('are refused in the query and form of our pages, before CSRF, with our page', async () => {
    const page = await send('GET', '/signup?next=%00', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/NUL character/);
    const post = await send('POST', '/password/forgot', { headers: { ...form, accept: 'text/html' }, body: 'email=a%00%40b.c' });
    expect(post.status).toBe(400); // not the 403 of a missing CSRF token: the edge answered first
    expect(post.body).toMatch(/NUL character/);
  });
});

describe('Host header', () => {
  const malformed = ['localhost:99999', '[::1', 'localhost:abc', 'a b', 'localhost:'];

  it('a malformed Host gets 400: OAuth body on OAuth endpoints, our answer on discovery and our pages', async () => {
    for (const host of malformed) {
      expectOAuthError(await send('GET', '/auth?client_id=x', { headers: { host } }), 400);
      expectOAuthError(await send('GET', '/session/end', { headers: { host } }), 400);
      const discovery = await send('GET', '/.well-known/openid-configuration', { headers: { host } });
      expect(discovery.status, host).toBe(400);
      expect(JSON.parse(discovery.body)).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/Host header/) });
      expect((await send('GET', '/my/account', { headers: { host, accept: 'text/html' } })).status).toBe(400);
    }
  });

  it('well-formed hosts pass', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'id.example.com']) {
      const res = await send('GET', '/.well-known/openid-configuration', { headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });
});

describe('body size', () => {
  it('a body over 64 KiB is a 400 "too large", on ours and on oidc-provider endpoints', async () => {
    const big = `client_id=${'a'.repeat(70 * 1024)}`;
    expectOAuthError(await send('POST', '/token', { headers: form, body: big }), 400);
    const ours = await send('POST', '/signup', { headers: form, body: big });
    expect(ours.status).toBe(400);
    expect(JSON.parse(ours.body).message).toMatch(/too large/);
  });

  it('a well-formed form still reaches oidc-provider (its own answer, not the edge)', async () => {
    const res = await send('POST', '/token', { headers: form, body: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error).toBe('invalid_client');
  });
});

describe('X-Forwarded-For without IDP_TRUST_PROXY', () => {
  it('warns once in production, and never when the setting is on', async () => {
    const { startTestIdp } = await import('../helpers/idp.ts');
    for (const trust of ['0', '1']) {
      const warn = vi.spyOn(log, 'warn');
      const prod = await startTestIdp({ NODE_ENV: 'production', IDP_ISSUER: 'http://localhost:1', IDP_TRUST_PROXY: trust }, { store: 'sqlite' });
      try {
        for (let i = 0; i < 3; i++) await fetch(`${prod.url}/healthz`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
        const proxyWarnings = warn.mock.calls.filter(([m]) => /X-Forwarded-For but IDP_TRUST_PROXY is off/.test(String(m)));
        expect(proxyWarnings.length, `IDP_TRUST_PROXY=${trust}`).toBe(trust === '0' ? 1 : 0);
      } finally {
        warn.mockRestore();
        await prod.close();
      }
    }
  });
});
