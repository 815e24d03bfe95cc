/**
 * The account API with a DPoP-bound access token (the extension's way): a JWT for the `${issuer}/api`
 * resource bound to a key (`cnf.jkt`), a fresh proof per call (RFC 9449), replay and mismatches
 * refused, and the RFC 9470 step-up challenge for rotating a key when the sign-in is over 10 minutes old.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_API_SCOPE } from '../../shared/account-api.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverExtension } from '../helpers/clients.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { clock } from '../../idp/src/clock.ts';

const REDIRECT = 'https://extension.example/cb';
const PASSWORD = 'correct horse battery';
const idp = useTestIdp({ env: { IDP_EXTENSION_REDIRECT_URIS: REDIRECT }, resetClock: true });
let config: oidc.Configuration;
let account: { id: string; email: string };
let keyId: string;

beforeAll(async () => {
  account = await idp.createAccount('eve@example.com', PASSWORD, 'Eve');
  config = await discoverExtension(idp);
  await idp.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id });
  keyId = (await idp.services.apiKeys.create(account.id, { description: 'k', duration: '1w', scope: 'read', databases: null }, { actor: account.id })).key.id;
});

async function dpopToken(): Promise<{ token: string; keys: CryptoKeyPair; jwk: jose.JWK }> {
  const keys = await oidc.randomDPoPKeyPair('ES256');
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const resource = `${idp.issuer}/api`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: `openid ${ACCOUNT_API_SCOPE}`, resource, state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const browser = new TestBrowser();
  const atRedirect = (u: URL) => u.origin === new URL(REDIRECT).origin;
  const login = await browser.follow(url, { stopAt: atRedirect });
  let page = await browser.submit(login, '/login', { email: account.email, password: PASSWORD }, { stopAt: atRedirect });
  if (page.status === 200 && page.body.includes('/confirm')) page = await browser.submit(page, '/confirm', {}, { stopAt: atRedirect });
  expect(page.location, page.body.slice(0, 500)).toContain(REDIRECT);
  const DPoP = oidc.getDPoPHandle(config, keys);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state }, { resource }, { DPoP });
  expect(tokens.token_type.toLowerCase()).toBe('dpop');
  return { token: tokens.access_token, keys, jwk: await jose.exportJWK(keys.publicKey) };
}

async function proof(keys: CryptoKeyPair, jwk: jose.JWK, method: string, url: string, token: string, over: Record<string, unknown> = {}): Promise<string> {
  return new jose.SignJWT({
    htm: method, htu: url, jti: crypto.randomUUID(), iat: Math.floor(clock.now() / 1000),
    ath: crypto.createHash('sha256').update(token).digest('base64url'), ...over,
  }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(keys.privateKey);
}

describe('DPoP-bound access tokens', () => {
  it('answers with a valid proof and refuses missing, replayed and mismatched proofs', async () => {
    const { token, keys, jwk } = await dpopToken();
    const claims = jose.decodeJwt(token);
    expect(claims).toMatchObject({ aud: `${idp.issuer}/api`, cnf: { jkt: expect.any(String) } });
    expect(typeof claims.auth_time).toBe('number');

    const url = `${idp.issuer}/api/v1/status`;
    const p = await proof(keys, jwk, 'GET', url, token);
    const ok = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: p } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accountId: account.id, apiKeys: { total: 1 } });

    const replay = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: p } });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toContain('invalid_dpop_proof');
    expect((await fetch(url, { headers: { authorization: `DPoP ${token}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    const otherKeys = await oidc.randomDPoPKeyPair('ES256');
    const otherJwk = await jose.exportJWK(otherKeys.publicKey);
    const wrongKey = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(otherKeys, otherJwk, 'GET', url, token) } });
    expect(wrongKey.status).toBe(401);
    const wrongUrl = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(keys, jwk, 'GET', `${idp.issuer}/api/v1/databases`, token) } });
    expect(wrongUrl.status).toBe(401);
    const wrongAth = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(keys, jwk, 'GET', url, token, { ath: 'x' }) } });
    expect(wrongAth.status).toBe(401);
    const old = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(keys, jwk, 'GET', url, token, { iat: Math.floor(Date.now() / 1000) - 300 }) } });
    expect(old.status).toBe(401);
    const forged = `${token.slice(0, -4)}AAAA`;
    const bad = await fetch(url, { headers: { authorization: `DPoP ${forged}`, dpop: await proof(keys, jwk, 'GET', url, forged) } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('stops accepting an access token as soon as the sign-in behind it ends', async () => {
    const { token, keys, jwk } = await dpopToken();
    const url = `${idp.issuer}/api/v1/status`;
    const before = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(keys, jwk, 'GET', url, token) } });
    expect(before.status).toBe(200);
    await idp.services.security.sessions.endAllSessions(account.id);
    const after = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await proof(keys, jwk, 'GET', url, token) } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ message: expect.stringContaining('has ended') });
  });

  it('rotates a key with a fresh sign-in, and asks for a step-up (RFC 9470) when the sign-in is older than 10 minutes', async () => {
    const fresh = await dpopToken();
    const url = `${idp.issuer}/api/v1/api-keys/${keyId}/rotate`;
    const rotated = await fetch(url, { method: 'POST', headers: { authorization: `DPoP ${fresh.token}`, dpop: await proof(fresh.keys, fresh.jwk, 'POST', url, fresh.token), 'content-type': 'application/json' }, body: JSON.stringify({ graceSeconds: 0 }) });
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as { secret: string }).secret).toMatch(/^lk_/);

    clock.offsetMs = -11 * 60 * 1000; // the sign-in happens 11 minutes "ago" by the store clock
    const stale = await dpopToken();
    clock.offsetMs = 0;
    const refused = await fetch(url, { method: 'POST', headers: { authorization: `DPoP ${stale.token}`, dpop: await proof(stale.keys, stale.jwk, 'POST', url, stale.token), 'content-type': 'application/json' }, body: JSON.stringify({ graceSeconds: 0 }) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age=600/);
    expect(await refused.json()).toMatchObject({ error: 'reauthentication_required' });
    const list = `${idp.issuer}/api/v1/api-keys`;
    const reading = await fetch(list, { headers: { authorization: `DPoP ${stale.token}`, dpop: await proof(stale.keys, stale.jwk, 'GET', list, stale.token) } });
    expect(reading.status).toBe(200);
  });
});
