/**
 * `idp secret-key rotate` against a running IdP, as the README's Operations section tells an operator:
 * the IdP ran with OLD (every secret sealed under it), is restarted with IDP_SECRET_KEY=NEW,OLD, the
 * command re-seals everything while it serves, and the IdP keeps working without another restart
 * (a signed-in browser stays signed in, a password + 2FA sign-in and a database's sign-in with its client
 * secret succeed). Afterwards the store opens with NEW alone and refuses OLD alone. SQLite, and (the
 * postgres project) PostgreSQL + Redis.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../idp/src/config/config.ts';
import { startIdp, type RunningIdp } from '../../idp/src/main.ts';
import { secretBox } from '../../idp/src/storage/secret-box.ts';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { runIdp } from '../helpers/cli.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { freePort } from '../helpers/databases.ts';
import { tempDir, type TestIdp } from '../helpers/idp.ts';
import { authorize, exchange } from '../helpers/oidc-sign-in.ts';
import { clearRedisPrefix, createTestDatabase, testOnPostgres, testRedisUrl, type TestDatabase } from '../helpers/postgres.ts';
import { advance, enableTwoFactor, portalSignIn, resetClock, totp } from '../helpers/security.ts';

const OLD = crypto.randomBytes(32);
const NEW = crypto.randomBytes(32);
const email = 'rotating@example.com';
const password = 'a perfectly fine passphrase';
const keysSetting = (keys: Buffer[]) => keys.map((k) => k.toString('base64')).join(',');

let dataDir: string;
let database: TestDatabase | undefined;
let storeEnv: Record<string, string>;
let running: RunningIdp | undefined;
let client: SeededClient;
let totpSecret: string;
let browser: TestBrowser;

function envWith(keys: Buffer[]): Record<string, string> {
  return { ...storeEnv, IDP_DATA_DIR: dataDir, IDP_SECRET_KEY: keysSetting(keys) };
}

/** Each start on a port of its own (the HTTP client's pool keeps connections to the one that closed). */
async function start(keys: Buffer[]): Promise<RunningIdp> {
  const port = String(await freePort());
  const config = loadConfig({ HOST: '127.0.0.1', PORT: port, IDP_ISSUER: `http://localhost:${port}`, IDP_LOG_LEVEL: 'silent', ...envWith(keys) });
  return startIdp(config, { mailer: { send: async () => {}, close: () => {} }, quiet: true });
}

let codeSteps = 0;
/**
 * Sends the TOTP code of a later time step each time (a step is accepted once), with the IdP clock moved
 * ahead only while the code is checked: Redis expiries follow oidc-provider's own clock.
 */
async function submitCode(into: TestBrowser, form: PageResponse): Promise<PageResponse> {
  codeSteps += 1;
  advance(31 * codeSteps);
  try {
    return await into.submit(form, '/second-factor', { code: totp(totpSecret) });
  } finally {
    resetClock();
  }
}

/** A password and 2FA sign-in at the portal; the browser, signed in. */
async function signInWithTwoFactor(issuer: string): Promise<TestBrowser> {
  const fresh = new TestBrowser();
  const codeForm = await portalSignIn({ issuer } as TestIdp, fresh, email, password);
  expect(codeForm.body).toContain('/second-factor');
  const done = await submitCode(fresh, codeForm);
  expect(done.url).toContain('/my/account');
  expect((await fresh.request(`${issuer}/my/account`)).status).toBe(200);
  return fresh;
}

/** A database's sign-in (its client secret at the token endpoint) for the signed-in `browser`; the email userinfo gives. */
async function databaseSignIn(issuer: string, browser: TestBrowser): Promise<string> {
  const config = await discoverClient({ issuer }, client);
  const authorization = await authorize(browser, config, { redirectUri: client.redirectUri, scope: 'openid email', params: { prompt: 'consent' } });
  const tokens = await exchange(config, authorization);
  return (await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).email as string;
}

beforeAll(async () => {
  dataDir = tempDir('latchkey-rotate-');
  storeEnv = {};
  if (testOnPostgres) {
    database = await createTestDatabase();
    storeEnv.IDP_DATABASE_URL = database.url;
    if (testRedisUrl) Object.assign(storeEnv, { IDP_REDIS_URL: testRedisUrl, IDP_REDIS_PREFIX: `lktest:${crypto.randomBytes(6).toString('hex')}:` });
  }
  // Before: an IdP that only ever knew OLD.
  running = await start([OLD]);
  await running.services.accounts.signUp({ email, password, name: 'Rotating Person' }, { sendVerification: false, verified: true });
  client = await seedClient(running as unknown as TestIdp);
  const before = new TestBrowser();
  expect((await portalSignIn({ issuer: running.issuer } as TestIdp, before, email, password)).url).toContain('/my/account');
  ({ secret: totpSecret } = await enableTwoFactor(before, { issuer: running.issuer } as TestIdp));
  await running.close();
  // Step 1 of the procedure: restart with NEW,OLD. A browser signs in (password and code) before the rotation.
  running = await start([NEW, OLD]);
  browser = new TestBrowser();
  const codeForm = await portalSignIn({ issuer: running.issuer } as TestIdp, browser, email, password);
  expect((await submitCode(browser, codeForm)).url).toContain('/my/account');
});

afterAll(async () => {
  resetClock();
  await running?.close();
  await database?.drop();
  if (storeEnv.IDP_REDIS_URL) await clearRedisPrefix(storeEnv.IDP_REDIS_URL, storeEnv.IDP_REDIS_PREFIX!);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('idp secret-key rotate', () => {
  it('re-seals everything under NEW while the IdP started with NEW,OLD keeps serving', async () => {
    const issuer = running!.issuer;
    expect((await browser.request(`${issuer}/my/account`)).status).toBe(200);
    await signInWithTwoFactor(issuer);

    const rotated = await runIdp(['secret-key', 'rotate'], envWith([NEW, OLD]));
    expect(rotated.code, rotated.stderr).toBe(0);
    const report = rotated.json<{ resealed: Record<string, number>; keyCheck: string; previousKeysNoLongerNeeded: number }>();
    expect(report.keyCheck).toBe('updated');
    expect(report.previousKeysNoLongerNeeded).toBe(1);
    expect(report.resealed.twoFactorSecrets).toBeGreaterThanOrEqual(1);
    expect(report.resealed.serverSecrets).toBeGreaterThanOrEqual(5); // three signing keys, cookie keys, CSRF secret
    expect(report.resealed.clientSecrets).toBeGreaterThanOrEqual(1);
    // A second run finds nothing left.
    const again = (await runIdp(['secret-key', 'rotate'], envWith([NEW, OLD]))).json<{ resealed: Record<string, number> }>();
    expect(Object.values(again.resealed).every((n) => n === 0)).toBe(true);

    // No restart: the running IdP still serves the signed-in browser, a 2FA sign-in, a database sign-in.
    expect((await browser.request(`${issuer}/my/account`)).status).toBe(200);
    await signInWithTwoFactor(issuer);
    expect(await databaseSignIn(issuer, browser)).toBe(email);
    // New signing keys (sealed under NEW) are picked up by the running IdP too.
    expect((await runIdp(['keys', 'rotate'], envWith([NEW, OLD]))).code).toBe(0);
    expect(await databaseSignIn(issuer, browser)).toBe(email);
  });

  it('leaves nothing that opens with OLD: NEW alone serves, OLD alone is refused', async () => {
    const { db } = running!.services;
    const sealed = [
      ...(await db.all<{ v: string; c: string }>("SELECT secret AS v, 'totp:' || account_id AS c FROM credentials WHERE type = 'totp'")),
      ...(await db.all<{ v: string; c: string }>("SELECT private_jwk AS v, 'signing-key:' || kid AS c FROM signing_keys")),
      ...(await db.all<{ v: string; c: string }>("SELECT value AS v, 'setting:' || name AS c FROM server_settings WHERE name IN ('cookie_secrets', 'csrf_secret')")),
    ];
    expect(sealed.length).toBeGreaterThanOrEqual(6);
    for (const { v, c } of sealed) {
      expect(() => secretBox(NEW).open(v, c)).not.toThrow();
      expect(() => secretBox(OLD).open(v, c)).toThrow(/does not open/);
    }
    await running!.close();
    running = undefined;
    await expect(start([OLD])).rejects.toThrow(/IDP_SECRET_KEY: this is not the key/);
    // Step 3: drop OLD.
    running = await start([NEW]);
    expect(await databaseSignIn(running.issuer, await signInWithTwoFactor(running.issuer))).toBe(email);
  });
});
