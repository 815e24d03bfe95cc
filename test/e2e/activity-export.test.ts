/**
 * "Download my data" end to end: after a recent sign-in the portal answers a JSON file with the
 * account, memberships, devices, remembered devices, connected apps, API key metadata and activity; it
 * holds none of the secrets this test created or the store keeps (passwords and their hash, the TOTP
 * secret sealed or clear, recovery codes, the API key and its digest, cookies, mailed tokens, OAuth
 * tokens); an old sign-in is asked to confirm first; downloads are limited per account.
 */
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { linkFrom } from '../helpers/idp.ts';
import { browserAt, createApiKey, createDatabaseFor, FIREFOX_WINDOWS } from '../helpers/activity.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { advance, enableTwoFactor, portalSignIn, totp } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'correct horse battery staple';
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');
let client: SeededClient;
let config: oidc.Configuration;

beforeAll(async () => {
  client = await seedClient(idp, { client_name: 'Export Test App' });
  config = await discoverClient(idp, client);
});

describe('download my data', () => {
  it('gives the account its data as JSON, with no secret in it', async () => {
    const email = 'export@example.com';
    const account = await idp.createAccount(email, password);
    const secrets: string[] = [password];
    await createDatabaseFor(idp, account.id, 'Exportco');
    const desk = browserAt('198.51.100.80');
    await portalSignIn(idp, desk, email, password);
    const { secret, recoveryCodes } = await enableTwoFactor(desk, idp);
    secrets.push(secret, ...recoveryCodes, ...recoveryCodes.map((c) => c.replace('-', '')));
    advance(30);

    // A remembered laptop (its cookies and the new-sign-in mail's lockdown token are secrets too).
    const laptop = browserAt('203.0.113.81', FIREFOX_WINDOWS);
    const form = await portalSignIn(idp, laptop, email, password);
    expect((await laptop.submit(form, '/second-factor', { code: totp(secret), remember: 'yes' })).url).toContain('/my/account');
    secrets.push(linkFrom(idp.lastMailTo(email), '/lockdown?token=').searchParams.get('token')!);
    for (const browser of [desk, laptop]) {
      for (const jar of browser.cookies.values()) for (const [name, value] of jar) if (value.length >= 16) secrets.push(value, decodeURIComponent(value), `${name}=${value}`);
    }

    // An app with a refresh token, an API key, a reset link.
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri, scope: 'openid email offline_access', prompt: 'consent', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    let page = await desk.follow(url, { stopAt: (u) => u.origin === 'http://127.0.0.1:9' });
    if (page.status === 200 && page.body.includes('/confirm')) page = await desk.submit(page, '/confirm', {}, { stopAt: (u) => u.origin === 'http://127.0.0.1:9' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state });
    secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!, client.clientSecret);
    const key = await createApiKey(idp, account.id, 'export key');
    secrets.push(key.secret, sha256(key.secret), key.secret.slice(key.visibleId.length + 1));
    const forgot = await browserAt('198.51.100.82').request(`${idp.issuer}/password/forgot`);
    expect(forgot.status).toBe(200);
    await idp.services.accounts.requestPasswordReset(email, '198.51.100.82');
    await new Promise((r) => setTimeout(r, 50));
    secrets.push(linkFrom(idp.lastMailTo(email), '/password/reset?token=').searchParams.get('token')!);

    // What the store keeps in place of secrets must not leak either.
    for (const row of await idp.services.db.all<{ secret: string }>('SELECT secret FROM credentials WHERE account_id = ?', [account.id])) secrets.push(row.secret);
    for (const row of await idp.services.db.all<{ token_hash: string }>('SELECT token_hash FROM trusted_devices WHERE account_id = ?', [account.id])) secrets.push(row.token_hash);
    for (const row of await idp.services.db.all<{ token_hash: string }>('SELECT token_hash FROM account_tokens WHERE account_id = ?', [account.id])) secrets.push(row.token_hash);
    for (const row of await idp.services.db.all<{ secret_hash: string }>('SELECT secret_hash FROM api_keys WHERE account_id = ?', [account.id])) secrets.push(row.secret_hash);

    const exportPage = await desk.request(`${idp.issuer}/my/security/export`);
    expect(exportPage.status).toBe(200);
    const download = await desk.submit(exportPage, '/my/security/export', {});
    expect(download.status, download.body.slice(0, 300)).toBe(200);
    expect(download.headers.get('content-type')).toContain('application/json');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="latchkey-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const data = JSON.parse(download.body);
    expect(data.account).toMatchObject({ id: account.id, email, emailVerified: true, timezone: 'UTC' });
    expect(data.memberships).toEqual([expect.objectContaining({ database: 'Exportco', role: 'owner', login: email })]);
    expect(data.signedInDevices.length).toBeGreaterThanOrEqual(2);
    expect(data.rememberedDevices).toEqual([expect.objectContaining({ browser: 'Firefox 128', ip: '203.0.113.81' })]);
    expect(data.connectedApps).toEqual([expect.objectContaining({ name: 'Export Test App', offlineAccess: true })]);
    expect(data.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect(data.apiKeys).toEqual([expect.objectContaining({ visibleId: key.visibleId, description: 'export key' })]);
    expect(data.activity.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['signin.succeeded', '2fa.enabled', 'api_key.created', 'password.reset_requested']));

    expect(secrets.length).toBeGreaterThan(25);
    for (const s of secrets) {
      expect(s.length, 'a secret of the test is too short to check').toBeGreaterThanOrEqual(8);
      expect(download.body.includes(s), `the export holds a secret: ${s.slice(0, 12)}…`).toBe(false);
    }
    const activity = await desk.request(`${idp.issuer}/my/security/activity`);
    expect(activity.body).toContain('A copy of the account data was downloaded.');
  });

  it('asks an old sign-in to confirm first, and limits downloads per account', async () => {
    const email = 'export-limit@example.com';
    await idp.createAccount(email, password);
    const browser = browserAt('198.51.100.90');
    await portalSignIn(idp, browser, email, password);
    advance(11 * 60);
    const exportPage = await browser.request(`${idp.issuer}/my/security/export`);
    const ask = await browser.submit(exportPage, '/my/security/export', {});
    expect(ask.status).toBe(401);
    expect(ask.body).toContain('Confirm it is you');
    const confirmed = await browser.submit(ask, '/my/security/export', { reauth_password: password });
    expect(confirmed.status).toBe(200);
    expect(JSON.parse(confirmed.body).account.email).toBe(email);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await browser.submit(exportPage, '/my/security/export', {})).status);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses[4]).toBe(429);
  });
});
