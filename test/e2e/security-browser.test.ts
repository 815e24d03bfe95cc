/**
 * The security controls in a real browser (headless Chromium through puppeteer): enrolling 2FA by
 * reading the secret from the page, signing in with a code, a replayed code refused, a recovery code
 * used once; "Log out from all devices" from one browser context ends the session of another and
 * reaches a relying party by back-channel logout; deleting the account makes its sign-in fail. Every
 * page reached is checked with axe-core (WCAG 2.1 AA, `expectAccessible`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import * as oidc from 'openid-client';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { advance, totp } from '../helpers/security.ts';
import { expectAccessible } from '../helpers/axe.ts';

const idp = useTestIdp({ resetClock: true });
let chromium: Browser;
let rp: LogoutReceiver;
let client: SeededClient;
const password = 'correct horse battery staple';

beforeAll(async () => {
  rp = await startLogoutReceiver(idp.issuer, () => client.clientId);
  client = await seedClient(idp, { backchannel_logout_uri: rp.url, backchannel_logout_session_required: true, redirect_uris: ['http://127.0.0.1:9/callback'] });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await rp?.close();
});

async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.createBrowserContext();
  const page = await context.newPage();
  return { context, page };
}

async function submitAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
}

async function signIn(page: Page, email: string, pass = password): Promise<void> {
  await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'domcontentloaded' });
  await page.type('#f-email', email);
  await page.type('#f-password', pass);
  await submitAndWait(page, 'form[action$="/login"] button[type=submit]');
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.type('#f-code', code);
  await submitAndWait(page, 'form[action$="/second-factor"] button[type=submit]');
}

const text = (page: Page) => page.$eval('main', (m) => (m as HTMLElement).innerText);

describe('security controls in Chromium', () => {
  it('enrolls 2FA from the page, signs in with a code, refuses a replay, accepts a recovery code once', async () => {
    const email = 'chromium-2fa@example.com';
    await idp.createAccount(email, password);
    const { context, page } = await fresh();
    await signIn(page, email);
    expect(page.url()).toContain('/my/account');
    await expectAccessible(page, 'Account Information');
    await page.goto(`${idp.issuer}/my/security`, { waitUntil: 'domcontentloaded' });
    await expectAccessible(page, 'Connection & Security');
    await submitAndWait(page, 'form[action="/my/security/2fa/start"] button');
    await expectAccessible(page, '2FA enrollment');
    const secret = await page.$eval('#totp-secret', (e) => e.textContent!.trim());
    expect(await page.$eval('img[alt^="QR code"]', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.type('#f-code', totp(secret));
    await submitAndWait(page, 'form[action="/my/security/2fa/confirm"] button');
    const codes = await page.$$eval('#recovery-codes code', (els) => els.map((e) => e.textContent!));
    expect(codes).toHaveLength(10);
    await expectAccessible(page, 'recovery codes');
    await context.close();

    advance(30);
    const second = await fresh();
    await signIn(second.page, email);
    expect(second.page.url()).toContain('/interaction/');
    await expectAccessible(second.page, '2FA at sign-in');
    const code = totp(secret);
    await enterCode(second.page, code);
    expect(second.page.url()).toContain('/my/account');
    await second.context.close();

    const third = await fresh();
    await signIn(third.page, email);
    await enterCode(third.page, code);
    expect(await text(third.page)).toContain('That code is not valid');
    await expectAccessible(third.page, '2FA at sign-in, code refused');
    await enterCode(third.page, codes[0]!);
    expect(third.page.url()).toContain('/my/account');
    await third.page.goto(`${idp.issuer}/my/security`, { waitUntil: 'domcontentloaded' });
    expect(await third.page.$eval('#recovery-left', (e) => e.textContent)).toBe('9');
    await expectAccessible(third.page, 'Connection & Security, 2FA on');
    await third.context.close();

    const fourth = await fresh();
    await signIn(fourth.page, email);
    await enterCode(fourth.page, codes[0]!);
    expect(await text(fourth.page)).toContain('That code is not valid');
    await fourth.context.close();
  });

  it('logs out the other browser context and reaches the relying party by back-channel logout', async () => {
    const email = 'chromium-devices@example.com';
    const { id } = await idp.createAccount(email, password);
    const laptop = await fresh();
    await signIn(laptop.page, email);
    // The phone signs in to the relying party: its IdP session holds an authorization for the client.
    const phone = await fresh();
    const config = await discoverClient(idp, client);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: client.redirectUri, scope: 'openid', prompt: 'consent', state: 's', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    let callback: string | undefined;
    await phone.page.setRequestInterception(true);
    phone.page.on('request', (req) => {
      if (req.url().startsWith('http://127.0.0.1:9/')) {
        callback = req.url();
        void req.respond({ status: 200, contentType: 'text/plain', body: 'signed in to the app' });
      } else void req.continue();
    });
    await phone.page.goto(url.toString(), { waitUntil: 'domcontentloaded' });
    await phone.page.type('#f-email', email);
    await phone.page.type('#f-password', password);
    await submitAndWait(phone.page, 'form[action$="/login"] button[type=submit]');
    if (phone.page.url().includes('/interaction/')) {
      await expectAccessible(phone.page, 'consent');
      await submitAndWait(phone.page, 'form[action$="/confirm"] button');
    }
    expect(callback).toContain('code=');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: 's' });

    await laptop.page.goto(`${idp.issuer}/my/security`, { waitUntil: 'domcontentloaded' });
    expect(await laptop.page.$$eval('tr.device', (rows) => rows.length)).toBe(2);
    await expectAccessible(laptop.page, 'Connection & Security, two devices');
    const before = rp.received.length;
    await submitAndWait(laptop.page, 'form[action="/my/security/devices/logout-others"] button');
    expect(await text(laptop.page)).toContain('Every other device was signed out.');
    await expectAccessible(laptop.page, 'Connection & Security, others signed out');
    await rp.waitFor(before + 1);
    expect(rp.received.at(-1)).toMatchObject({ sub: id, sid: tokens.claims()!.sid });

    await phone.page.goto(`${idp.issuer}/my/account`, { waitUntil: 'domcontentloaded' });
    expect(phone.page.url()).toContain('/interaction/');
    await laptop.context.close();
    await phone.context.close();
  });

  it('deletes the account; signing in with it then fails', async () => {
    const email = 'chromium-delete@example.com';
    await idp.createAccount(email, password);
    const { context, page } = await fresh();
    await signIn(page, email);
    await page.goto(`${idp.issuer}/my/security/delete`, { waitUntil: 'domcontentloaded' });
    expect(await text(page)).toContain('irreversible');
    await expectAccessible(page, 'delete account');
    await page.type('#f-confirm_email', email);
    await submitAndWait(page, 'form[action="/my/security/delete"] button[type=submit]');
    expect(await text(page)).toContain('Your account was deleted');
    await expectAccessible(page, 'account deleted');
    await context.close();
    const again = await fresh();
    await signIn(again.page, email);
    expect(await text(again.page)).toContain('Incorrect email or password.');
    await expectAccessible(again.page, 'sign-in, refused');
    await again.context.close();
  });
});
