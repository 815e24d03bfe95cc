/**
 * Accessibility of every page, in real Chromium against the real IdP and the reference database:
 * axe-core (WCAG 2.1 A and AA rules: wcag2a, wcag2aa, wcag21a, wcag21aa) finds zero violations on each
 * page in the states the journeys reach: empty (a new account), filled (a database with a member, an
 * API key, a passkey, 2FA on) and with errors (a form submitted with a bad value and drawn again). A
 * re-rendered form also announces its error: the field names its message by aria-describedby and is
 * aria-invalid. Each page is one `expectAccessible` call (test/helpers/axe.ts), which prints the rule
 * ids and their targets on failure. The keyboard-only journey is keyboard-journey.test.ts.
 *
 * The page list follows idp/src/route-table.ts (every GET page) and oidc-provider's pages we draw
 * (sign-in problem, log out, signed out).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'puppeteer-core';
import * as oidc from 'openid-client';
import { startDatabaseApp, type DatabaseApp } from '../reference-database/src/app.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { linkFrom, tempDir } from '../helpers/idp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/databases.ts';
import { discoverClient, seedClient } from '../helpers/clients.ts';
import { advance, totp } from '../helpers/security.ts';
import { checkedPages, expectAccessible, expectFieldError } from '../helpers/axe.ts';

const idp = useTestIdp({ resetClock: true });
let chromium: Browser;
let refdb: DatabaseApp | undefined;
const dirs: string[] = [];
const password = 'correct horse battery staple';

beforeAll(async () => {
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await refdb?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  // What was checked, for the CI log.
  console.log(`axe-core, zero violations on ${checkedPages.length} pages:\n  ${checkedPages.join('\n  ')}`);
});

interface Tab {
  context: BrowserContext;
  page: Page;
  cdp?: CDPSession;
}

/** A fresh browser context; `passkeys` adds the DevTools virtual authenticator (as passkeys-browser.test.ts). */
async function tab(options: { passkeys?: boolean } = {}): Promise<Tab> {
  const context = await chromium.createBrowserContext();
  const page = await context.newPage();
  if (!options.passkeys) return { context, page };
  await page.evaluateOnNewDocument(() => {
    Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: undefined });
  });
  const cdp = await page.createCDPSession();
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { context, page, cdp };
}

async function go(page: Page, url: string): Promise<void> {
  await page.goto(url.startsWith('http') ? url : `${idp.issuer}${url}`, { waitUntil: 'domcontentloaded' });
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
}

/** Types into a field after emptying it. */
async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (e) => ((e as HTMLInputElement).value = ''));
  await page.type(selector, value);
}

/** Lets the server see a value the browser's own validation would stop (type=email, required): the error path under test. */
async function skipBrowserValidation(page: Page, formSelector: string): Promise<void> {
  await page.$eval(formSelector, (f) => ((f as HTMLFormElement).noValidate = true));
}

const text = (page: Page) => page.$eval('main', (m) => (m as HTMLElement).innerText);

async function signIn(page: Page, email: string, pass = password): Promise<void> {
  await go(page, '/my/login');
  await fill(page, '#f-email', email);
  await fill(page, '#f-password', pass);
  await submit(page, 'form[action$="/login"] button[type=submit]');
}

// The journeys share one account and its browser, in order.
const owner = { email: 'ally@example.com', name: 'Ally Owner', id: '', totpSecret: '' };
const member = { email: 'bo@example.com' };
let ownerTab: Tab;
let databaseId = '';

describe('axe-core finds no WCAG 2.1 AA violation', () => {
  it('signed-out pages: sign-up (empty, with errors, done), forgot password, sign-in (with an error), 404', async () => {
    ownerTab = await tab({ passkeys: true });
    const { page } = ownerTab;
    await go(page, '/signup');
    await expectAccessible(page, 'sign-up');
    await fill(page, '#f-name', owner.name);
    await fill(page, '#f-email', owner.email);
    await fill(page, '#f-password', 'ally-ally-ally');
    await submit(page, 'form[action="/signup"] button[type=submit]');
    await expectFieldError(page, '#f-password', 'must not contain your email');
    await expectAccessible(page, 'sign-up, weak password');
    await fill(page, '#f-password', password);
    await submit(page, 'form[action="/signup"] button[type=submit]');
    expect(await text(page)).toContain('Check your inbox');
    await expectAccessible(page, 'sign-up, check your inbox');

    await go(page, '/password/forgot');
    await expectAccessible(page, 'forgot password');
    await skipBrowserValidation(page, 'form[action="/password/forgot"]');
    await fill(page, '#f-email', 'not an email');
    await submit(page, 'form[action="/password/forgot"] button');
    expect(page.url()).toContain('/password/forgot');
    await expectFieldError(page, '#f-email', await page.$eval('#f-email-error', (e) => e.textContent!));
    await expectAccessible(page, 'forgot password, bad email');
    await fill(page, '#f-email', 'nobody@example.com');
    await submit(page, 'form[action="/password/forgot"] button');
    expect(await text(page)).toContain('If an account exists');
    await expectAccessible(page, 'forgot password, sent');

    await go(page, '/password/reset?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(await text(page)).toContain('expired');
    await expectAccessible(page, 'reset password, expired link');

    await signIn(page, owner.email, 'not the password');
    expect(page.url()).toContain('/interaction/');
    expect(await page.$eval('[role="alert"]', (e) => e.textContent)).toContain('Incorrect email or password');
    await expectAccessible(page, 'sign-in, wrong password');

    await go(page, '/no/such/page');
    expect(await text(page)).toContain('Page not found');
    await expectAccessible(page, 'error page, 404 (a path nobody serves)');
  });

  it('signed-out pages in French, reached with the footer language switcher', async () => {
    const { page, context } = await tab();
    await go(page, '/my/login');
    await expectAccessible(page, 'sign-in, with the language switcher');
    await submit(page, 'footer form[action="/language"] button');
    expect(await page.$eval('html', (h) => h.lang)).toBe('fr');
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Se connecter');
    await expectAccessible(page, 'sign-in in French');
    await go(page, '/signup');
    await fill(page, '#f-name', 'Zoé');
    await fill(page, '#f-email', 'zoezoe@example.com');
    await fill(page, '#f-password', 'zoezoe-zoezoe');
    await submit(page, 'form[action="/signup"] button[type=submit]');
    await expectFieldError(page, '#f-password', 'ne doit pas contenir votre adresse e-mail');
    await expectAccessible(page, 'sign-up in French, weak password');
    await context.close();
  });

  it('a new account: confirmation, then every portal page empty', async () => {
    const { page } = ownerTab;
    await signIn(page, owner.email);
    expect(page.url()).toContain('/my/account');
    expect(await text(page)).toContain('not confirmed');
    await expectAccessible(page, 'Account Information, email not confirmed');
    owner.id = (await idp.services.accounts.findByEmail(owner.email))!.id;

    await go(page, linkFrom(idp.lastMailTo(owner.email), '/verify-email').toString());
    await expectAccessible(page, 'email confirmation');
    await submit(page, 'form[action="/verify-email"] button');
    expect(await text(page)).toContain('is confirmed');
    await expectAccessible(page, 'email confirmed');

    await go(page, '/verify-email?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(await text(page)).toContain('invalid or has expired');
    await expectAccessible(page, 'error page, 410 (an unknown link)');

    for (const [path, label] of [
      ['/my/account', 'Account Information'],
      ['/my/security', 'Connection & Security'],
      ['/my/databases', 'databases, none'],
      ['/my/security/api-keys', 'developer mode off'],
      ['/my/security/activity', 'security activity'],
      ['/my/security/lockdown', 'lockdown'],
      ['/my/security/trusted-devices', 'remembered devices, none'],
      ['/my/security/apps', 'connected apps, none'],
      ['/my/security/export', 'data export'],
      ['/my/security/delete', 'delete account'],
    ] as const) {
      await go(page, path);
      expect(page.url(), label).toContain(path);
      await expectAccessible(page, `${label} (empty)`);
    }
    await go(page, '/my/databases/dbs_doesnotexist000000');
    expect(await text(page)).toContain('Page not found');
    await expectAccessible(page, 'error page, 404 (an unknown database, signed in)');
  });

  it('portal forms re-rendered with an error announce it on the field', async () => {
    const { page } = ownerTab;
    await go(page, '/my/security');
    await fill(page, '#f-current_password', 'not my password');
    await fill(page, '#f-new_password', 'a brand new passphrase');
    await submit(page, 'form[action="/my/security/password"] button[type=submit]');
    await expectFieldError(page, '#f-current_password', 'Your current password is not correct.');
    expect(await page.$eval('[role="alert"]', (e) => e.textContent)).toContain('Your current password is not correct.');
    await expectAccessible(page, 'Connection & Security, wrong current password');

    await go(page, '/my/account');
    await fill(page, '#f-email', owner.email);
    await submit(page, 'form[action="/my/account/email"] button');
    await expectFieldError(page, '#f-email', 'That is already your email address.');
    await expectAccessible(page, 'Account Information, same email');

    await go(page, '/my/security/delete');
    await fill(page, '#f-confirm_email', 'someone@example.com');
    await submit(page, 'form[action="/my/security/delete"] button[type=submit]');
    await expectFieldError(page, '#f-confirm_email', 'This is not your account email.');
    await expectAccessible(page, 'delete account, wrong email');

    await go(page, '/my/databases');
    await skipBrowserValidation(page, 'form[action="/my/databases"]');
    await fill(page, '#f-name', '-bad name');
    await fill(page, '#f-url', 'not a url');
    await submit(page, 'form[action="/my/databases"] button');
    await expectFieldError(page, '#f-name', 'Use letters, digits');
    await expectAccessible(page, 'databases, bad name');
  });

  it('filled: a database with an invited member, its advanced settings, an invitation', async () => {
    const { page } = ownerTab;
    const port = await freePort();
    const url = `http://localhost:${port}`;
    await go(page, '/my/databases');
    await fill(page, '#f-name', 'Ally Inc');
    await fill(page, '#f-url', url);
    await submit(page, 'form[action="/my/databases"] button');
    await expectAccessible(page, 'database created, credentials shown once');
    const database = (await idp.services.databases.listForAccount((await idp.services.accounts.findById(owner.id))!)).find((m) => m.database.name === 'Ally Inc')!.database;
    databaseId = database.id;

    await go(page, '/my/databases');
    await expectAccessible(page, 'databases, one');
    await go(page, `/my/databases/${databaseId}`);
    await expectAccessible(page, 'a database (owner, no member)');

    await fill(page, 'form[action$="/invite"] #f-email', owner.email);
    await submit(page, 'form[action$="/invite"] button');
    await expectFieldError(page, '#f-email', 'Already');
    await expectAccessible(page, 'a database, invitation refused');

    await fill(page, '#f-redirectUris', 'not a uri');
    await submit(page, 'form[action$="/advanced"] button');
    await expectFieldError(page, '#f-redirectUris', 'redirect URI');
    await expectAccessible(page, 'advanced settings, bad redirect URI');

    await idp.createAccount(member.email, password, 'Bo Member');
    await go(page, `/my/databases/${databaseId}`);
    await fill(page, 'form[action$="/invite"] #f-email', member.email);
    await submit(page, 'form[action$="/invite"] button');
    expect(await text(page)).toContain('The invitation was sent.');
    await expectAccessible(page, 'a database with an invited member');

    const bo = await tab();
    await signIn(bo.page, member.email);
    await go(bo.page, '/my/databases');
    expect(await text(bo.page)).toContain('Invitations');
    await expectAccessible(bo.page, 'databases, one invitation');
    await go(bo.page, linkFrom(idp.lastMailTo(member.email), '/my/invitations?token=').toString());
    await expectAccessible(bo.page, 'an invitation');
    await submit(bo.page, 'form[action$="/accept"] button');
    await go(page, `/my/databases/${databaseId}`);
    expect(await page.$$eval('#f-member option', (o) => o.length)).toBe(1);
    await expectAccessible(page, 'a database with an active member (transfer form)');
    await go(bo.page, `/my/databases/${databaseId}`);
    await expectAccessible(bo.page, 'a database (member)');
    await bo.context.close();
  });

  it('filled: developer mode, an API key (with an error, shown once, listed)', async () => {
    const { page } = ownerTab;
    await go(page, '/my/security/api-keys');
    await submit(page, 'form[action$="/developer-mode"] button');
    expect(await text(page)).toContain('Add an API key');
    await expectAccessible(page, 'API keys, none');
    await fill(page, '#f-description', 'nightly export');
    await page.click('input[name="database_access"][value="some"]');
    await submit(page, 'form[action$="/api-keys/new"] button[type=submit]');
    await expectFieldError(page, 'input[name="database_access"][value="all"]', 'Choose at least one database.');
    await expectAccessible(page, 'API keys, no database chosen');
    await page.click('input[name="database_access"][value="all"]');
    await submit(page, 'form[action$="/api-keys/new"] button[type=submit]');
    expect(await page.$eval('#api-key-secret', (e) => e.textContent)).toBeTruthy();
    await expectAccessible(page, 'API key, secret shown once');
    await go(page, '/my/security/api-keys');
    await expectAccessible(page, 'API keys, one');
    await go(page, '/my/security/api-keys/developer-mode/off');
    await expectAccessible(page, 'turn off developer mode?');
  });

  it('filled: a passkey, 2FA on (enrollment with an error, recovery codes), re-authentication with an error', async () => {
    const { page } = ownerTab;
    await go(page, '/my/security');
    await page.waitForSelector('form[data-passkey-register]:not([hidden])', { visible: true });
    await page.type('form[data-passkey-register] #f-name', 'Laptop');
    await submit(page, 'form[data-passkey-register] button[type=submit]');
    expect(await text(page)).toContain('Your passkey was added');
    await expectAccessible(page, 'Connection & Security, a passkey');
    await skipBrowserValidation(page, 'tr.passkey form[action$="/rename"]');
    await fill(page, 'tr.passkey input[name="name"]', '');
    await submit(page, 'tr.passkey form[action$="/rename"] button');
    await expectFieldError(page, 'tr.passkey input[name="name"]', 'Enter a name for the passkey.');
    await expectAccessible(page, 'Connection & Security, passkey name refused');

    await submit(page, 'form[action="/my/security/2fa/start"] button');
    await expectAccessible(page, '2FA enrollment');
    owner.totpSecret = await page.$eval('#totp-secret', (e) => e.textContent!.trim());
    await fill(page, '#f-code', '000000');
    await submit(page, 'form[action="/my/security/2fa/confirm"] button');
    await expectFieldError(page, '#f-code', 'That code is not valid.');
    await expectAccessible(page, '2FA enrollment, wrong code');
    await fill(page, '#f-code', totp(owner.totpSecret));
    await submit(page, 'form[action="/my/security/2fa/confirm"] button');
    expect(await page.$$eval('#recovery-codes code', (c) => c.length)).toBe(10);
    await expectAccessible(page, 'recovery codes');
    await go(page, '/my/security');
    await expectAccessible(page, 'Connection & Security, 2FA on, a passkey, a key, two devices');

    advance(11 * 60);
    await submit(page, 'form[action="/my/security/2fa/recovery-codes"] button');
    expect(await text(page)).toContain('Confirm it is you');
    await expectAccessible(page, 're-authentication');
    await fill(page, '#f-reauth_password', 'not my password');
    await fill(page, '#f-reauth_code', totp(owner.totpSecret));
    await submit(page, 'form:has(#f-reauth_password) button[type=submit]');
    await expectFieldError(page, '#f-reauth_password', 'That password is not correct.');
    await expectAccessible(page, 're-authentication, wrong password');
  });

  it('sign-in interactions: 2FA (with an error), consent, no access, a sign-in problem; log out', async () => {
    const { page } = ownerTab;
    await go(page, '/session/end');
    await expectAccessible(page, 'log out');
    await submit(page, 'button[name="logout"]');
    expect(await text(page)).toContain('signed out');
    await expectAccessible(page, 'signed out');

    advance(30);
    await signIn(page, owner.email);
    expect(page.url()).toContain('/interaction/');
    await expectAccessible(page, '2FA at sign-in');
    await fill(page, '#f-code', '000000');
    await submit(page, 'form[action$="/second-factor"] button[type=submit]');
    await expectFieldError(page, '#f-code', 'That code is not valid.');
    await expectAccessible(page, '2FA at sign-in, wrong code');
    await fill(page, '#f-code', totp(owner.totpSecret));
    await page.click('input[name="remember"]');
    await submit(page, 'form[action$="/second-factor"] button[type=submit]');
    expect(page.url()).toContain('/my/account');
    await go(page, '/my/security/trusted-devices');
    await expectAccessible(page, 'remembered devices, one');

    // A third-party application asks for consent.
    const client = await seedClient(idp);
    const config = await discoverClient(idp, client);
    const authUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: client.redirectUri, scope: 'openid email profile', prompt: 'consent', state: 's', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    await go(page, authUrl.toString());
    expect(await text(page)).toContain('Allow Test App?');
    await expectAccessible(page, 'consent');

    await go(page, `/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}`);
    await expectAccessible(page, 'sign-in problem (unknown client)');

    // Someone with an account but no membership opens the database's SSO.
    const outsider = await tab();
    const database = (await idp.services.databases.findById(databaseId))!;
    const redirectUri = (await idp.services.databases.clientSettings(databaseId, { kind: 'account', accountId: owner.id })).redirectUris[0]!;
    await idp.createAccount('cy@example.com', password);
    const databaseAuth = `/auth?client_id=${encodeURIComponent(database.clientId)}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&state=s&code_challenge=${await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier())}&code_challenge_method=S256`;
    await go(outsider.page, databaseAuth);
    await expectAccessible(outsider.page, 'sign-in for a database');
    await fill(outsider.page, '#f-email', 'cy@example.com');
    await fill(outsider.page, '#f-password', password);
    await submit(outsider.page, 'form[action$="/login"] button[type=submit]');
    expect(await text(outsider.page)).toContain('cy@example.com');
    await expectAccessible(outsider.page, 'no access to a database');
    await outsider.context.close();
  });

  it('the new-sign-in lockdown link, the password reset (with passkeys listed, with an error)', async () => {
    const laptop = await tab();
    await signIn(laptop.page, member.email);
    await laptop.context.close();
    const phone = await tab();
    await phone.page.setUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0');
    await signIn(phone.page, member.email);
    const lockdown = linkFrom(idp.lastMailTo(member.email), '/lockdown?token=').toString();
    await go(phone.page, lockdown);
    await expectAccessible(phone.page, 'lockdown link');
    await submit(phone.page, 'form[action="/lockdown"] button');
    await expectAccessible(phone.page, 'lockdown done');
    await go(phone.page, lockdown);
    await expectAccessible(phone.page, 'lockdown link, used');

    await go(phone.page, '/password/forgot');
    await fill(phone.page, '#f-email', owner.email);
    await submit(phone.page, 'form[action="/password/forgot"] button');
    await go(phone.page, linkFrom(idp.lastMailTo(owner.email), '/password/reset?token=').toString());
    expect(await phone.page.$('#reset-passkeys')).not.toBeNull();
    await expectAccessible(phone.page, 'reset password, a passkey listed');
    await fill(phone.page, '#f-password', 'ally-ally-ally');
    await submit(phone.page, 'form[action="/password/reset"] button[type=submit]');
    await expectFieldError(phone.page, '#f-password', 'must not contain your email');
    await expectAccessible(phone.page, 'reset password, weak password');
    await phone.context.close();
  });

  it('the reference database: sign-in, home, settings (with an error), preferences, its error page', async () => {
    const { page } = ownerTab;
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const created = await idp.services.databases.create(owner.id, { name: 'Ally Notes', url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }, { kind: 'account', accountId: owner.id });
    const dataDir = tempDir('latchkey-refdb-');
    dirs.push(dataDir);
    refdb = await startDatabaseApp({ name: 'Ally Notes', port, host: '127.0.0.1', issuer: idp.issuer, clientId: created.clientId, clientSecret: created.clientSecret!, dataDir }, { log: () => {} });

    await go(page, `${url}/login`);
    await expectAccessible(page, 'reference database, sign-in');
    await submit(page, 'form[action="/login/sso"] button');
    if (!page.url().startsWith(url)) await page.waitForNavigation({ waitUntil: 'domcontentloaded' });
    expect(page.url().startsWith(url), page.url()).toBe(true);
    await expectAccessible(page, 'reference database, home');
    await go(page, `${url}/settings`);
    await expectAccessible(page, 'reference database, settings');
    await fill(page, '#password', 'a long database password');
    await fill(page, '#confirm', 'another one entirely');
    await submit(page, 'form[action="/settings/password"] button');
    expect(await page.$('[role="alert"]')).not.toBeNull();
    await expectAccessible(page, 'reference database, settings, passwords differ');
    await go(page, `${url}/preferences`);
    await expectAccessible(page, 'reference database, preferences');
    await go(page, `${url}/callback?code=x&state=y`);
    await expectAccessible(page, 'reference database, error page');

    // Back on the portal, with what the journeys left: an app, activity, a pending email change.
    await go(page, '/my/security/apps');
    expect(await text(page)).toContain('Ally Notes');
    await expectAccessible(page, 'connected apps, one');
    await go(page, '/my/security/activity');
    await expectAccessible(page, 'security activity, filled');
    await go(page, '/my/account');
    await fill(page, '#f-email', 'ally.new@example.com');
    await submit(page, 'form[action="/my/account/email"] button');
    await expectAccessible(page, 'Account Information, email change sent');
    await go(page, linkFrom(idp.lastMailTo('ally.new@example.com'), '/my/account/email/confirm').toString());
    await expectAccessible(page, 'email change confirmation');
    await submit(page, 'form[action="/my/account/email/confirm"] button');
    await expectAccessible(page, 'email changed');
  });
});
