/**
 * Passkeys in real Chromium with the DevTools virtual authenticator (CTAP2, internal transport, resident
 * keys, user verification) over a CDP session: add a passkey on Connection & Security, sign out, sign in
 * to the portal with the passkey alone (no email, no password typed), open a database through SSO with
 * it (the reference database signs in; the database's ID token says amr hwk/user/pop and acr phrh),
 * rename, delete, and the deleted passkey refused; a cloned authenticator (same key, lower counter)
 * refused. The HTTP-level bad-input cases are in passkeys.test.ts (both engines). The pages reached
 * are checked with axe-core (WCAG 2.1 AA, `expectAccessible`).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import * as oidc from 'openid-client';
import { startDatabaseApp, type DatabaseApp } from '../reference-database/src/app.ts';
import { startTestIdp, tempDir, type TestIdp } from '../helpers/idp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/databases.ts';
import { expectAccessible } from '../helpers/axe.ts';

let idp: TestIdp;
let chromium: Browser;
let database: DatabaseApp | undefined;
const dirs: string[] = [];
const password = 'correct horse battery staple';

beforeAll(async () => {
  idp = await startTestIdp();
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await database?.close();
  await idp?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface WithAuthenticator {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  close(): Promise<void>;
}

/**
 * A browser context with a virtual authenticator. The virtual authenticator answers a conditional
 * (autofill) request at once, as if the person picked the passkey from the suggestions; for the
 * "Sign in with a passkey" button path, `autofill: false` makes the page see a browser without
 * conditional mediation.
 */
async function browserWithPasskeys(options: { autofill: boolean } = { autofill: false }): Promise<WithAuthenticator> {
  const context = await chromium.createBrowserContext();
  const page = await context.newPage();
  if (!options.autofill) {
    await page.evaluateOnNewDocument(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: undefined });
    });
  }
  const cdp = await page.createCDPSession();
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { page, cdp, authenticatorId, close: () => context.close() };
}

const text = (page: Page) => page.$eval('main', (m) => (m as HTMLElement).innerText);

async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
}

async function signInWithPassword(page: Page, email: string): Promise<void> {
  await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
  await page.type('#f-email', email);
  await page.type('#f-password', password);
  await clickAndWait(page, 'form[action$="/login"] button[type=submit]');
}

async function signOut(page: Page): Promise<void> {
  await page.goto(`${idp.issuer}/session/end`, { waitUntil: 'domcontentloaded' });
  await clickAndWait(page, 'button[name="logout"]');
}

/** On an IdP sign-in page: "Sign in with a passkey" (the button appears only where WebAuthn works). */
async function clickPasskeySignIn(page: Page): Promise<void> {
  await page.waitForSelector('form[data-passkey-signin]:not([hidden]) button', { visible: true });
  await clickAndWait(page, 'form[data-passkey-signin] button');
}

async function addPasskey(page: Page, name: string): Promise<void> {
  await page.goto(`${idp.issuer}/my/security`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('form[data-passkey-register]:not([hidden])', { visible: true });
  await page.type('form[data-passkey-register] #f-name', name);
  await clickAndWait(page, 'form[data-passkey-register] button[type=submit]');
}

describe('passkeys in Chromium with the virtual authenticator', () => {
  it('adds a passkey, signs in with it alone, opens a database by SSO (amr/acr), renames, deletes, and is refused after', async () => {
    const email = 'chromium-passkey@example.com';
    const { id } = await idp.createAccount(email, password, 'Pia Passkey');
    const b = await browserWithPasskeys();
    const { page, cdp, authenticatorId } = b;

    await signInWithPassword(page, email);
    expect(page.url()).toContain('/my/account');
    await addPasskey(page, 'Chromium key');
    expect(page.url()).toContain('done=passkey-added');
    expect(await text(page)).toContain('Your passkey was added');
    await expectAccessible(page, 'Connection & Security, a passkey');
    expect(await page.$eval('tr.passkey input[name="name"]', (e) => (e as HTMLInputElement).value)).toBe('Chromium key');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(idp.lastMailTo(email)?.subject).toBe('A passkey was added to your account');

    // Signed out, the passkey alone signs in: nothing is typed.
    await signOut(page);
    await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
    expect(await page.$eval('#f-email', (e) => e.getAttribute('autocomplete'))).toBe('username webauthn');
    await expectAccessible(page, 'sign-in, with a passkey button');
    await clickPasskeySignIn(page);
    expect(page.url(), await text(page)).toContain('/my/account');
    expect(await text(page)).toContain(email);
    expect(await page.$eval('#f-password', () => true).catch(() => false)).toBe(false);

    // A database: its SSO opens with the passkey; its ID token tells how.
    await signOut(page);
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const created = await idp.services.databases.create(id, { name: 'Passkey Inc', url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }, { kind: 'account', accountId: id });
    const dataDir = tempDir('latchkey-refdb-');
    dirs.push(dataDir);
    database = await startDatabaseApp({ name: 'Passkey Inc', port, host: '127.0.0.1', issuer: idp.issuer, clientId: created.clientId, clientSecret: created.clientSecret!, dataDir }, { log: () => {} });
    await page.goto(`${url}/login`, { waitUntil: 'domcontentloaded' });
    await expectAccessible(page, 'reference database, sign-in');
    await clickAndWait(page, 'form[action="/login/sso"] button');
    expect(page.url()).toContain(`${idp.issuer}/interaction/`);
    await clickPasskeySignIn(page);
    if (!page.url().startsWith(url)) await page.waitForNavigation({ waitUntil: 'domcontentloaded' });
    expect(page.url().startsWith(url)).toBe(true);
    expect(await page.$eval('[data-field="login"]', (e) => e.textContent)).toBe(email);
    await expectAccessible(page, 'reference database, home');

    // The same database asks again (prompt=login) and checks the ID token itself.
    const config = await oidc.discovery(new URL(idp.issuer), created.clientId, created.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${url}/callback`, scope: 'openid email profile', state: 'pk', nonce: 'pk', prompt: 'login', acr_values: 'phrh phr',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    let callback: string | undefined;
    await page.setRequestInterception(true);
    const intercept = (req: import('puppeteer-core').HTTPRequest) => {
      if (req.url().startsWith(`${url}/callback`)) {
        callback = req.url();
        void req.respond({ status: 200, contentType: 'text/plain', body: 'code received' });
      } else void req.continue();
    };
    page.on('request', intercept);
    await page.goto(authUrl.toString(), { waitUntil: 'domcontentloaded' });
    await clickPasskeySignIn(page);
    page.off('request', intercept);
    await page.setRequestInterception(false);
    expect(callback).toBeDefined();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: 'pk', expectedNonce: 'pk' });
    expect(tokens.claims()).toMatchObject({ sub: id, login: email, role: 'owner', amr: ['hwk', 'user', 'pop'], acr: 'phrh' });

    // Rename and delete on Connection & Security (the passkey sign-in is a recent sign-in: no password asked).
    await page.goto(`${idp.issuer}/my/security`, { waitUntil: 'domcontentloaded' });
    await page.$eval('tr.passkey input[name="name"]', (e) => ((e as HTMLInputElement).value = ''));
    await page.type('tr.passkey input[name="name"]', 'Renamed key');
    await clickAndWait(page, 'tr.passkey form[action$="/rename"] button');
    expect(page.url()).toContain('done=passkey-renamed');
    expect(await page.$eval('tr.passkey input[name="name"]', (e) => (e as HTMLInputElement).value)).toBe('Renamed key');
    await clickAndWait(page, 'tr.passkey form[action$="/delete"] button');
    expect(page.url()).toContain('done=passkey-deleted');
    expect(await text(page)).toContain('You have no passkey yet.');
    await expectAccessible(page, 'Connection & Security, passkey deleted');
    expect(idp.lastMailTo(email)?.subject).toBe('A passkey was removed from your account');

    // The authenticator still holds the credential; the IdP no longer accepts it.
    await signOut(page);
    await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
    await clickPasskeySignIn(page);
    expect(page.url()).toContain('/interaction/');
    expect(await text(page)).toContain('This passkey is not registered here');
    await expectAccessible(page, 'sign-in, passkey refused');
    await b.close();
  });

  it('refuses a cloned authenticator: the same key with a lower sign counter', async () => {
    const email = 'chromium-clone@example.com';
    const { id } = await idp.createAccount(email, password);
    const b = await browserWithPasskeys();
    const { page, cdp, authenticatorId } = b;
    await signInWithPassword(page, email);
    await addPasskey(page, 'Original');
    await signOut(page);
    await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
    await clickPasskeySignIn(page);
    expect(page.url(), await text(page)).toContain('/my/account');
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    expect(credential!.signCount).toBeGreaterThan(0);
    expect((await idp.services.passkeys.list(id))[0]!.signCount).toBe(credential!.signCount);

    // A copy of the key made before the last use: same private key, counter behind.
    await signOut(page);
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential!.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential!, signCount: 0 } });
    await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
    await clickPasskeySignIn(page);
    expect(page.url()).toContain('/interaction/');
    expect(await text(page)).toContain('signature counter went backwards');
    await expectAccessible(page, 'sign-in, cloned passkey refused');
    expect((await idp.services.audit.listForAccount(id)).some((e) => e.event === 'passkey.counter_regression')).toBe(true);
    await b.close();
  });

  it('offers the passkey in the email field suggestions (conditional mediation): picking it signs in', async () => {
    const email = 'chromium-autofill@example.com';
    await idp.createAccount(email, password);
    const b = await browserWithPasskeys({ autofill: true });
    const { page } = b;
    await signInWithPassword(page, email);
    await addPasskey(page, 'Autofill');
    await signOut(page);
    // The page starts a conditional request on load; the virtual authenticator picks the passkey.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 15_000 }).then(() => page.url().includes('/my/account') ? undefined : page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 15_000 })),
      page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' }),
    ]);
    await page.waitForFunction(() => location.pathname === '/my/account', { timeout: 15_000 });
    expect(await text(page)).toContain(email);
    await b.close();
  });
});
