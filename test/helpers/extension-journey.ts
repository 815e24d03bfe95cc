/**
 * The browser extension end to end, once per browser: the real build (WXT, into a temporary directory)
 * installed into a real headless browser (Chromium over CDP, Firefox ESR over WebDriver BiDi) against
 * the real IdP started in this process. One account walks through it in order, each step relying on the
 * previous ones:
 *
 * 1. sign in from the popup through `identity.launchWebAuthFlow`, filling the IdP's login form in the
 *    auth window (the IdP clock is set back 11 minutes for that sign-in, so it is "old" afterwards);
 * 2. the security summary in the popup and the red badge (2FA off);
 * 3. the databases list and "Open" (single sign-on starts at the database's sign-in URL);
 * 4. rotating an API key: the IdP asks for a step-up (RFC 9470), the extension opens the login form
 *    again, the new secret is shown and the old one is refused by introspection at once;
 * 5. another browser signs in after failed guesses: one new-device notification, the Activity tab shows the
 *    IdP's activity page by page ("Show older") with "This wasn't me" on each entry; "Log out other
 *    devices" ends that browser's IdP session, the extension stays signed in;
 * 6. an expired access token is refreshed (DPoP, rotating refresh token);
 * 7. the badge clears with 2FA on and turns red again once 2FA is turned off;
 * 8. signing out revokes the extension's refresh token at the IdP.
 *
 * Used by test/e2e/extension.test.ts (Chromium) and test/e2e/extension-firefox.test.ts (Firefox).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page, Target } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import { ACTIVITY_PAGE_SIZE } from '../../extension/lib/activity.ts';
import type { LaunchedExtension } from '../../extension/testing/chromium.ts';
import { clock } from '../../idp/src/clock.ts';
import { axeViolations } from './axe.ts';
import { TestBrowser } from './browser.ts';
import { repoRoot } from './databases.ts';
import { startTestIdp, tempDir, type TestIdp } from './idp.ts';
import type { Browser } from 'webextension-polyfill';

/** The WebExtension namespace as `ext.evaluate` sees it: `browser` in Firefox, `chrome` in Chromium. */
type WebExtensionGlobal = { browser?: Browser; chrome?: Browser };
import { portalSignIn, totp } from './security.ts';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'extension-user@example.com';
const STEP = 20_000;
/**
 * Poll page conditions on a timer: puppeteer's default polls on requestAnimationFrame, which a page
 * stops running once another tab (the lockdown page this journey opens) has taken the foreground.
 */
const POLL_MS = 100;

export interface JourneyBrowser {
  /** For test names and printed timings. */
  name: string;
  /** WXT's target: the build lands in `<dir>/<target>-mv3`. */
  target: 'chrome' | 'firefox';
  /** The browser's `identity.getRedirectURL()`, registered at the IdP for the extension's client. */
  redirectUri: string;
  /**
   * Whether the build grants the loopback host permissions at install (`LATCHKEY_E2E_HOSTS`). Chromium
   * needs it: nobody can click its permission prompt headless. Firefox does not (its prompt is turned
   * off by a pref), so there the options page's real `permissions.request` grants the IdP origin.
   */
  grantHostsAtInstall: boolean;
  launch(extensionDir: string): Promise<LaunchedExtension>;
  /** Checks only this browser can make (e.g. the extension ID it was loaded with). */
  afterLaunch?(ext: LaunchedExtension): void;
}

/** Builds the extension for `target` into a fresh directory; host permissions for loopback are granted at install. */
export async function buildExtensionForTests(target: 'chrome' | 'firefox', grantHostsAtInstall: boolean): Promise<string> {
  const buildDir = tempDir(`latchkey-extension-${target}-`);
  const { LATCHKEY_E2E_HOSTS: _unset, ...env } = process.env;
  // Both spellings of loopback: the IdP's issuer is http://localhost:<port>.
  // tsx, not Node's own type stripping: the engines range starts at Node 22.12, which lacks it by default.
  await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'extension/testing/build-e2e.ts'), buildDir, target], {
    cwd: repoRoot, timeout: 120_000, env: grantHostsAtInstall ? { ...env, LATCHKEY_E2E_HOSTS: 'http://localhost/*,http://127.0.0.1/*' } : { ...env, LATCHKEY_E2E_HOSTS: '' },
  });
  return buildDir;
}

const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);

export async function waitForText(page: Page, text: string, timeout = STEP): Promise<void> {
  try {
    await page.waitForFunction((t) => document.body.innerText.includes(t), { timeout, polling: POLL_MS }, text);
  } catch (error) {
    throw new Error(`"${text}" did not appear; the page shows:\n${await bodyText(page).catch(() => '?')}`, { cause: error });
  }
}

// Functions passed to `ext.evaluate` run in the browser and cannot close over anything here, so each
// spells out `(globalThis.browser ?? globalThis.chrome)`: `browser.*` in Firefox, `chrome.*` in Chromium.

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + STEP;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function describeExtensionJourney(kind: JourneyBrowser): void {
  let idp: TestIdp;
  let ext: LaunchedExtension;
  let popup: Page;
  let buildDir: string;
  let account: { id: string; email: string };
  let database: { id: string; clientId: string; clientSecret: string; url: string };
  let databaseServer: http.Server;
  const databaseRequests: string[] = [];
  let apiKey: { id: string; secret: string };
  const seenAuthWindows = new Set<Target>();

  beforeAll(async () => {
    buildDir = await buildExtensionForTests(kind.target, kind.grantHostsAtInstall);
    idp = await startTestIdp({ IDP_EXTENSION_REDIRECT_URIS: kind.redirectUri });
    account = await idp.createAccount(EMAIL, PASSWORD, 'Extension User');

    databaseServer = http.createServer((req, res) => {
      databaseRequests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('the database sign-in page');
    });
    await new Promise<void>((resolve) => databaseServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(databaseServer.address() as AddressInfo).port}`;
    const created = await idp.services.databases.create(account.id, {
      name: 'Acme', url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/`], tokenEndpointAuthMethod: 'client_secret_basic',
    }, { kind: 'account', accountId: account.id });
    database = { id: created.database.id, clientId: created.clientId, clientSecret: created.clientSecret!, url };

    await idp.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id });
    const key = await idp.services.apiKeys.create(account.id, { description: 'CI deploy', duration: '1m', scope: 'read-write', databases: null }, { actor: account.id });
    apiKey = { id: key.key.id, secret: key.secret };

    ext = await kind.launch(path.join(buildDir, `${kind.target}-mv3`));
  }, 180_000);

  afterEach(() => {
    clock.offsetMs = 0;
  });

  afterAll(async () => {
    clock.offsetMs = 0;
    await ext?.close().catch(() => undefined);
    await new Promise<void>((resolve) => (databaseServer ? databaseServer.close(() => resolve()) : resolve()));
    await idp?.close();
    if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  });

  /** The next window `launchWebAuthFlow` opens on the IdP's sign-in page (never one seen before). */
  async function nextAuthWindow(): Promise<Page> {
    const target = await ext.browser.waitForTarget((t) => t.type() === 'page' && t.url().includes('/interaction/') && !seenAuthWindows.has(t), { timeout: STEP });
    seenAuthWindows.add(target);
    const page = await target.asPage();
    await page.waitForSelector('#f-password', { timeout: STEP });
    return page;
  }

  /**
   * Fills the IdP's login form in the auth window. `afterSignIn` runs once the IdP has checked the
   * password and before the authorization resumes (the first request to `/auth/` after the form post),
   * which is where a test can put the IdP clock back.
   */
  async function signInInAuthWindow(page: Page, afterSignIn?: () => void): Promise<void> {
    if (afterSignIn) {
      let posted = false;
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().includes('/interaction/')) posted = true;
        else if (posted && new URL(request.url()).pathname.startsWith('/auth/')) {
          posted = false;
          afterSignIn();
        }
        request.continue().catch(() => undefined);
      });
    }
    await page.$eval('#f-email', (input) => ((input as HTMLInputElement).value = ''));
    await page.type('#f-email', EMAIL);
    await page.type('#f-password', PASSWORD);
    await page.click('form[action$="/login"] button[type=submit]');
  }

  const badgeText = () => ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.action.getBadgeText({}) as Promise<string>, null);

  async function waitForBadge(expected: string): Promise<void> {
    const deadline = Date.now() + STEP;
    let last = '';
    while (Date.now() < deadline) {
      last = await badgeText();
      if (last === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`badge is "${last}", expected "${expected}"`);
  }

  async function introspect(token: string): Promise<{ active: boolean }> {
    const res = await fetch(`${idp.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${database.clientId}:${database.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return (await res.json()) as { active: boolean };
  }

  /** Opens a fresh popup (which refreshes the status on open) and waits for the signed-in view. */
  async function reopenPopup(): Promise<Page> {
    await popup?.close().catch(() => undefined);
    popup = await ext.openPage('popup.html');
    await popup.waitForSelector('[role=tablist]', { timeout: STEP });
    return popup;
  }

  async function showTab(id: 'security' | 'activity' | 'databases' | 'devices' | 'keys'): Promise<void> {
    await popup.click(`#tab-${id}`);
  }

  const grantedOrigins = () => ext.evaluate(async () => (await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.permissions.getAll()).origins as string[], null);

  async function saveIdpUrl(options: Page, url: string, expected: string): Promise<void> {
    await options.$eval('#idp-url', (input) => ((input as HTMLInputElement).value = ''));
    await options.type('#idp-url', url);
    await options.click('form button[type=submit]');
    await options.waitForFunction((t) => document.querySelector('#save-result')?.textContent?.includes(t), { timeout: STEP, polling: POLL_MS }, expected).catch(async (error: unknown) => {
      throw new Error(`"${expected}" did not appear after saving ${url}; the page shows:\n${await bodyText(options)}`, { cause: error });
    });
  }

  describe(`the browser extension in ${kind.name} against the real IdP`, () => {
    it('sets the IdP URL in the options page, asking for exactly that origin; a typo or a non-IdP is refused with a clear message', async () => {
      kind.afterLaunch?.(ext);
      const options = await ext.openPage('options.html');
      await options.waitForSelector('#idp-url', { timeout: STEP });
      expect(await axeViolations(options)).toEqual([]);

      await saveIdpUrl(options, 'login example', 'is not a web address');
      await saveIdpUrl(options, 'ftp://login.example.com', 'must start with https:// or http://');
      await saveIdpUrl(options, database.url, `${database.url} is not a Latchkey server`);
      expect(await ext.evaluate(async () => (await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.get('idpUrl')).idpUrl ?? null, null)).toBeNull();
      if (!kind.grantHostsAtInstall) expect(await grantedOrigins()).toEqual([]);

      await saveIdpUrl(options, `${idp.issuer}/`, `Saved. Latchkey will sign in at ${idp.issuer}.`);
      expect(await ext.evaluate(async () => (await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.get('idpUrl')).idpUrl, null)).toBe(idp.issuer);
      // Exactly the IdP's origin, spelled the way this browser matches it (Firefox: no port).
      if (!kind.grantHostsAtInstall) expect(await grantedOrigins()).toEqual([`${new URL(idp.issuer).protocol}//${new URL(idp.issuer).hostname}/*`]);
      // Each notification can be switched off here; the switch is stored at once.
      const prefs = () => ext.evaluate(async () => (await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.get('notificationPrefs')).notificationPrefs as Record<string, boolean> | undefined ?? null, null);
      await options.click('#notify-expiringKey');
      await waitUntil(async () => (await prefs())?.expiringKey === false, 'the expiring-key switch to be stored off');
      expect(await prefs()).toEqual({ newDevice: true, expiringKey: false, twoFactorOff: true });
      await options.click('#notify-expiringKey');
      await waitUntil(async () => (await prefs())?.expiringKey === true, 'the expiring-key switch to be stored on');

      expect(await axeViolations(options)).toEqual([]);
      await ext.colorScheme(options, 'dark');
      expect(await axeViolations(options), 'options, dark').toEqual([]);
      await ext.colorScheme(options, 'light');
      await options.close();
    });

    it('signs in through launchWebAuthFlow with the IdP login form', async () => {
      popup = await ext.openPage('popup.html');
      await popup.waitForSelector('.signed-out button.primary', { timeout: STEP });
      expect(await bodyText(popup)).toContain('Sign in to Latchkey');
      expect(await axeViolations(popup)).toEqual([]);

      // This sign-in happens 11 minutes "ago" by the IdP clock, so the sensitive actions below need a step-up.
      clock.offsetMs = -11 * 60 * 1000;
      await popup.click('.signed-out button.primary');
      const auth = await nextAuthWindow();
      expect(auth.url()).toContain(idp.issuer);
      await signInInAuthWindow(auth, () => {
        clock.offsetMs = 0;
      });
      // The popup reloads itself once the background has signed in.
      await popup.waitForSelector('[role=tablist]', { timeout: STEP }).catch(async (error: unknown) => {
        throw new Error(`not signed in; the popup shows:\n${await bodyText(popup)}\nauth window: ${auth.isClosed() ? 'closed' : auth.url()}`, { cause: error });
      });
      expect(clock.offsetMs).toBe(0);
    });

    it('opens on the security summary: a headline, then the checklist with why and a portal link; red badge while 2FA is off', async () => {
      await popup.waitForSelector('#summary-headline', { timeout: STEP });
      await waitForText(popup, EMAIL);
      // 2FA is off: that is the first thing to do. Recovery codes do not exist yet, so they are not listed as fine.
      const summary = await popup.evaluate(() => ({
        headline: document.querySelector('#summary-headline')!.textContent,
        items: [...document.querySelectorAll<HTMLElement>('[data-check]')].map((li) => ({
          id: li.dataset.check,
          state: li.className.includes('item-todo') ? 'todo' : 'done',
          title: li.querySelector('.item-title')?.textContent,
          why: li.querySelector('.item-why')?.textContent ?? null,
          href: li.querySelector('a')?.getAttribute('href') ?? null,
        })),
      }));
      const todo = summary.items.filter((item) => item.state === 'todo');
      expect(summary.headline).toContain(todo.length === 1 ? '1 thing to do' : `${todo.length} things to do`);
      expect(summary.items[0]).toMatchObject({ id: 'two-factor', state: 'todo', title: 'Turn on two-factor authentication.', href: `${idp.issuer}/my/security#two-factor` });
      expect(summary.items[0]!.why).toMatch(/password/);
      expect(summary.items.map((item) => item.id)).not.toContain('recovery-codes');
      expect(summary.items.map((item) => item.id)).toEqual(expect.arrayContaining(['two-factor', 'email', 'new-devices', 'api-keys']));
      console.log(`[${kind.name}] summary view: "${summary.headline}"; ${summary.items.map((item) => `${item.state === 'todo' ? '[!]' : '[ok]'} ${item.title}${item.why ? ` (${item.why})` : ''}`).join('; ')}`);
      await popup.setViewport({ width: 400, height: 600 });
      await popup.screenshot({ path: path.join(os.tmpdir(), `latchkey-summary-${kind.target}.png`) });
      await waitForBadge('!');
    });

    it('every tab is reached with the arrow keys, fits the popup at 200% zoom and has no axe violations, light and dark', async () => {
      // 200% zoom: a popup is at most 800x600 device pixels, i.e. 400x300 CSS pixels at that zoom.
      await popup.setViewport({ width: 400, height: 300 });
      await popup.focus('#tab-security');
      const ids = ['security', 'activity', 'databases', 'devices', 'keys'];
      for (const [index, id] of ids.entries()) {
        if (index > 0) await popup.keyboard.press('ArrowRight');
        const focused = await popup.evaluate(() => ({ id: document.activeElement?.id, selected: document.activeElement?.getAttribute('aria-selected') }));
        expect(focused).toEqual({ id: `tab-${id}`, selected: 'true' });
        // Loaded (no loading line left) before it is checked.
        await popup.waitForFunction(() => !document.querySelector('.panel [role=status].muted') && document.querySelector('.panel')!.textContent!.trim().length > 0, { timeout: STEP, polling: POLL_MS });
        const overflowing = await popup.evaluate(() => {
          const right = document.querySelector('#app')!.getBoundingClientRect().right;
          return [...document.querySelectorAll('#app *')].filter((el) => el.getBoundingClientRect().right > right + 0.5).map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`);
        });
        expect(overflowing, `tab ${id} at 200% zoom`).toEqual([]);
        expect(await axeViolations(popup), `tab ${id}`).toEqual([]);
        await ext.colorScheme(popup, 'dark');
        expect(await popup.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(27, 31, 39)');
        expect(await axeViolations(popup), `tab ${id}, dark`).toEqual([]);
        await ext.colorScheme(popup, 'light');
      }
      await popup.keyboard.press('ArrowRight');
      expect(await popup.evaluate(() => document.activeElement?.id)).toBe('tab-security');
      // Tab leaves the tab list for the panel (one stop per tab list), with a visible focus ring.
      await popup.keyboard.press('Tab');
      const focus = await popup.evaluate(() => ({ id: document.activeElement?.id, outline: getComputedStyle(document.activeElement!).outlineStyle, width: getComputedStyle(document.activeElement!).outlineWidth }));
      expect(focus).toEqual({ id: 'panel-security', outline: 'solid', width: '2px' });
      await popup.keyboard.down('Shift');
      await popup.keyboard.press('Tab');
      await popup.keyboard.up('Shift');
      expect(await popup.evaluate(() => document.activeElement?.id)).toBe('tab-security');
      await popup.setViewport({ width: 800, height: 600 });
    });

    it('lists the databases and opens one by single sign-on', async () => {
      await showTab('databases');
      await waitForText(popup, 'Acme');
      expect(await bodyText(popup)).toContain('owner');
      const opened = ext.browser.waitForTarget((t) => t.type() === 'page' && t.url().startsWith(`${database.url}/login`), { timeout: STEP });
      await popup.click('button[aria-label="Open Acme"]');
      const tab = await (await opened).asPage();
      expect(tab?.url()).toBe(`${database.url}/login`);
      await tab?.close();
      expect(databaseRequests).toContain('/login');
    });

    it('rotates an API key after a step-up sign-in; the old secret is refused at once', async () => {
      expect(await introspect(apiKey.secret)).toMatchObject({ active: true });
      await showTab('keys');
      await waitForText(popup, 'CI deploy');
      await popup.click('button[aria-label="Rotate CI deploy"]');
      await popup.click('.rotate input[type=radio][value="0"]');
      await popup.click('.rotate button[type=submit]');

      // The sign-in is older than 10 minutes: the API answers with the RFC 9470 challenge, and the
      // extension opens the IdP's login form again (max_age=600).
      const auth = await nextAuthWindow();
      expect(new URL(auth.url()).pathname).toMatch(/^\/interaction\//);
      await signInInAuthWindow(auth);

      await popup.waitForSelector('#new-secret', { timeout: STEP });
      const secret = await popup.$eval('#new-secret', (input) => (input as HTMLInputElement).value);
      expect(secret).toMatch(/^lk_[a-z2-7]{10}_[A-Za-z0-9_-]{43}$/);
      expect(secret).not.toBe(apiKey.secret);
      expect(await introspect(apiKey.secret)).toMatchObject({ active: false });
      expect(await introspect(secret)).toMatchObject({ active: true });
    });

    it('logs out the other devices and stays signed in itself', async () => {
      // Someone guessed at the password before the other browser got in: six failed sign-ins, which
      // with the earlier events make more than one popup page of activity.
      for (let i = 0; i < 6; i++) await expect(idp.services.accounts.authenticate(EMAIL, 'wrong guess', { ip: '203.0.113.9' })).rejects.toThrow('Incorrect email or password.');
      const other = new TestBrowser();
      await portalSignIn(idp, other, EMAIL, PASSWORD);
      expect((await other.request(`${idp.issuer}/my/account`)).status).toBe(200);

      await reopenPopup();
      // The refresh on opening saw a device it had not seen before: one notification, and only one.
      const newDeviceNotes = async () => Object.keys(await ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.notifications.getAll() as Promise<Record<string, unknown>>, null)).filter((id) => id.startsWith('new-device-'));
      await waitUntil(async () => (await newDeviceNotes()).length === 1, 'a new-device notification');

      // Recent activity (GET /api/v1/activity): the newest page, exactly as the IdP keeps it, newest
      // first; the other browser's sign-in on top. Every entry offers "This wasn't me", which opens the
      // portal's lockdown page for that entry.
      const expected = (await idp.services.activity.page(account.id, { limit: 100 })).entries;
      expect(expected.length).toBeGreaterThan(ACTIVITY_PAGE_SIZE);
      expect(expected.length).toBeLessThanOrEqual(2 * ACTIVITY_PAGE_SIZE);
      expect(expected[0]).toMatchObject({ kind: 'signin.succeeded', device: 'Chrome 130 on Linux', detail: 'Signed in.' });
      await showTab('activity');
      await popup.waitForSelector('ul[aria-label="Recent activity"] li', { timeout: STEP });
      const rows = () =>
        popup.$$eval('ul[aria-label="Recent activity"] li', (items) =>
          items.map((li) => ({ id: (li as HTMLElement).dataset.entry, text: li.textContent ?? '', at: li.querySelector('time')?.getAttribute('datetime') ?? null, href: li.querySelector('a.danger-link')?.getAttribute('href') ?? null })),
        );
      const lockdownUrl = (id: string) => `${idp.issuer}/my/security/lockdown?entry=${id}`;
      const expectShown = (shown: Awaited<ReturnType<typeof rows>>, entries: typeof expected) => {
        expect(shown.map((row) => row.id)).toEqual(entries.map((entry) => entry.id));
        for (const [index, entry] of entries.entries()) {
          const row = shown[index]!;
          expect(row).toMatchObject({ at: entry.at, href: lockdownUrl(entry.id) });
          for (const part of [entry.detail, entry.device ?? 'Unknown device', entry.app, entry.ip ?? 'unknown IP']) if (part) expect(row.text).toContain(part);
        }
      };
      expectShown(await rows(), expected.slice(0, ACTIVITY_PAGE_SIZE));

      // "Show older" appends the next page (the cursor of this one) and is gone after the last page;
      // the focus moves to the first entry it added.
      await popup.click('button.more');
      await popup.waitForFunction((n) => document.querySelectorAll('ul[aria-label="Recent activity"] li').length === n, { timeout: STEP, polling: POLL_MS }, expected.length);
      expectShown(await rows(), expected);
      expect(await popup.$('button.more')).toBeNull();
      expect(await popup.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.entry)).toBe(expected[ACTIVITY_PAGE_SIZE]!.id);
      const failed = (await rows()).filter((row) => row.text.includes('Failed sign-in: wrong password.'));
      expect(failed).toHaveLength(6);
      for (const row of failed) expect(row.text).toMatch(/failed.*203\.0\.113\.9/s);
      expect(await axeViolations(popup), 'activity, every page').toEqual([]);

      const lockdown = ext.browser.waitForTarget((t) => t.type() === 'page' && t.url() === lockdownUrl(expected[0]!.id), { timeout: STEP });
      await popup.click(`a.danger-link[href="${lockdownUrl(expected[0]!.id)}"]`);
      await (await (await lockdown).asPage()).close();
      // Back to the popup, as a person would be: the browser may have brought another tab forward, and a
      // hidden page runs no animation frames (the confirmation below gives the focus back in one).
      await popup.bringToFront();

      await showTab('devices');
      await waitForText(popup, 'this device');
      expect(await popup.$$eval('ul[aria-label="Signed-in devices"] li', (rows) => rows.length)).toBe(2);
      // Escape closes the confirmation and gives the focus back to the button that opened it.
      await popup.click('button.danger');
      await popup.waitForSelector('.confirm button.danger', { timeout: STEP });
      await popup.keyboard.press('Escape');
      await popup.waitForFunction(() => !document.querySelector('.confirm') && document.activeElement?.textContent?.includes('Log out other devices'), { timeout: STEP, polling: POLL_MS });
      await popup.click('button.danger');
      await popup.waitForSelector('.confirm button.danger', { timeout: STEP });
      await popup.click('.confirm button.danger');
      await waitForText(popup, 'Logged out 1 other device.');

      const after = await other.request(`${idp.issuer}/my/account`);
      expect(after.status).toBe(302);
      expect(after.location).toContain('/my/login');
      await popup.waitForFunction(() => document.querySelectorAll('ul[aria-label="Signed-in devices"] li').length === 1, { timeout: STEP, polling: POLL_MS });
      const devices = await idp.services.security.sessions.listDevices(account.id);
      expect(devices).toHaveLength(1);

      // The extension's own session and grant are intact: a fresh status comes back without an error.
      await reopenPopup();
      await waitForText(popup, EMAIL);
      await popup.waitForFunction(() => !document.querySelector('.header-actions [aria-busy="true"]'), { timeout: STEP, polling: POLL_MS });
      expect(await bodyText(popup)).not.toMatch(/sign in again|Sign in to Latchkey|Cannot reach/i);
      expect(await newDeviceNotes()).toHaveLength(1);
    });

    it('prints the time to first paint of the status, from the cached state and from the network', async () => {
      /** [script start, status painted], in ms from the popup's navigation start. */
      const paint = async (source: 'cache' | 'network') => {
        await popup?.close().catch(() => undefined);
        const openedAt = Date.now();
        popup = await ext.openPage('popup.html');
        await popup.waitForFunction((name) => performance.getEntriesByName(name).length > 0, { timeout: STEP, polling: POLL_MS }, `latchkey:status-painted:${source}`);
        const times = await popup.evaluate((name) => [performance.getEntriesByName('latchkey:script-start')[0]?.startTime ?? NaN, performance.getEntriesByName(name)[0]!.startTime] as const, `latchkey:status-painted:${source}`);
        // Let the refresh this popup started write its status first, or it would land in storage after
        // the next run removed it and that run would paint from a cache again.
        const savedAt = () => ext.evaluate(async () => ((await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.get('cachedStatus')).cachedStatus as { fetchedAt?: number } | undefined)?.fetchedAt ?? 0, null);
        await waitUntil(async () => (await savedAt()) >= openedAt, "the popup's refresh to be saved");
        return times;
      };
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const fromCache: (readonly [number, number])[] = [];
      const fromNetwork: (readonly [number, number])[] = [];
      for (let i = 0; i < 5; i++) fromCache.push(await paint('cache'));
      for (let i = 0; i < 5; i++) {
        // No saved status: the popup must wait for the background's refresh over the network.
        await ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.remove('cachedStatus'), null);
        fromNetwork.push(await paint('network'));
      }
      const line = (runs: (readonly [number, number])[]) =>
        `median ${median(runs.map((r) => r[1])).toFixed(0)} ms (runs ${runs.map((r) => r[1].toFixed(0)).join(', ')}; our script started at median ${median(runs.map((r) => r[0])).toFixed(0)} ms)`;
      console.log(`[${kind.name}] popup first paint of the status, from navigation start: from cache ${line(fromCache)}; from the network ${line(fromNetwork)}; target < 100 ms from cache`);
      await popup.waitForSelector('#summary-headline', { timeout: STEP });
    });

    it('refreshes an expired access token with the rotating refresh token', async () => {
      const stored = () => ext.evaluate(async () => JSON.stringify((await ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.local.get('refreshGrant')).refreshGrant), null);
      const before = await stored();
      // As if the access token had expired: the background must refresh (DPoP proof, resource, rotation).
      await ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.storage.session.remove('accessToken'), null);
      await reopenPopup();
      const deadline = Date.now() + STEP;
      let after = before;
      while (after === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        after = await stored();
      }
      expect(after).not.toBe(before);
      expect(after).toContain('refreshToken');
      await popup.waitForFunction(() => document.querySelector('#summary-headline') && !document.querySelector('.header-actions [aria-busy="true"]'), { timeout: STEP, polling: POLL_MS });
      expect(await bodyText(popup)).not.toMatch(/sign in again|Sign in to Latchkey|Cannot reach/i);
    });

    it('clears the badge with 2FA on and shows it again after 2FA is turned off', async () => {
      const person = (await idp.services.accounts.findById(account.id))!;
      const { twoFactor } = idp.services.security;
      const { secret } = await twoFactor.startEnrollment(person);
      await twoFactor.confirmEnrollment(person, totp(secret));
      await reopenPopup();
      await waitForBadge('');

      await twoFactor.disable(person);
      await reopenPopup();
      await waitForBadge('!');
      await showTab('security');
      await waitForText(popup, 'Turn on two-factor authentication.');
      // Turned off since the previous refresh saw it on: notified once.
      const notes = await ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.notifications.getAll() as Promise<Record<string, unknown>>, null);
      expect(Object.keys(notes).filter((id) => id.startsWith('two-factor-off-'))).toHaveLength(1);
    });

    it('notifies once about an API key about to expire and lists it in the summary', async () => {
      const notes = async () => Object.keys(await ext.evaluate(() => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.notifications.getAll() as Promise<Record<string, unknown>>, null)).filter((id) => id.startsWith('key-expiring-'));
      const key = await idp.services.apiKeys.create(account.id, { description: 'Nightly backup', duration: '1d', scope: 'read', databases: null }, { actor: account.id });
      await reopenPopup();
      await waitForText(popup, 'Rotate 1 API key expiring within 7 days.');
      await waitUntil(async () => (await notes()).length === 1, 'a key-expiring notification');
      expect(await notes()).toEqual([`key-expiring-${key.key.id}`]);

      // Dismissed, then another refresh: the cursor remembers the key, nothing is raised again.
      await ext.evaluate((id) => ((globalThis as unknown as WebExtensionGlobal).browser ?? (globalThis as unknown as WebExtensionGlobal).chrome)!.notifications.clear(id), `key-expiring-${key.key.id}`);
      await reopenPopup();
      await popup.waitForFunction(() => !document.querySelector('.header-actions [aria-busy="true"]'), { timeout: STEP, polling: POLL_MS });
      expect(await notes()).toEqual([]);
    });

    it("signs out and revokes the extension's refresh token at the IdP", async () => {
      const extensionHolds = async () => (await idp.services.security.sessions.appsWithTokens(account.id)).some((app) => app.clientId === EXTENSION_CLIENT_ID);
      expect(await extensionHolds()).toBe(true);
      await popup.evaluate(() => [...document.querySelectorAll<HTMLButtonElement>('.header-actions button')].find((b) => b.textContent?.trim() === 'Sign out')!.click());
      await popup.waitForSelector('.signed-out', { timeout: STEP });
      await waitForBadge('');
      expect(await extensionHolds()).toBe(false);
    });
  });
}
