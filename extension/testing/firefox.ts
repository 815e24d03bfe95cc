/**
 * Installs the built Firefox extension (`.output/firefox-mv3`) into a real Firefox (Debian's
 * firefox-esr) through puppeteer over WebDriver BiDi (`webExtension.install`, Firefox 138+), for
 * end-to-end suites in `test/`. Same shape as `launchChromiumWithExtension`.
 *
 * Three things Firefox needs that Chromium does not:
 * - the extension's internal UUID is random per profile, so the pref `extensions.webextensions.uuids`
 *   pins it and the suite knows its `moz-extension://` URLs in advance;
 * - WebDriver BiDi refuses to navigate to `moz-extension:` URLs unless Firefox runs with
 *   `--remote-allow-system-access`, and it then reports no load event for them, so `openPage` waits
 *   for the document itself instead of `page.goto`'s navigation;
 * - there is no background target to evaluate in, so `evaluate` runs in an extension page kept open
 *   for that purpose (extension pages have the same `browser.*` APIs as the background);
 * - `page.emulateMediaFeatures` needs CDP, so `colorScheme` sets Firefox's own content override pref
 *   from the browser's chrome context (BiDi `script.evaluate`, allowed by the same flag).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';
import type { LaunchedExtension } from './chromium.ts';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const DEFAULT_FIREFOX_EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.output/firefox-mv3');
/** `browser_specific_settings.gecko.id` in wxt.config.ts. */
export const FIREFOX_ADDON_ID = 'latchkey-extension@latchkey.dev';
/** Pinned by pref below; any UUID would do. */
export const FIREFOX_EXTENSION_UUID = '5f0c3f7a-1b2d-4e5f-8a9b-0c1d2e3f4a5b';
/** Firefox's identity redirect URL: the hex SHA-1 of the add-on ID under extensions.allizom.org. */
export const FIREFOX_REDIRECT_URI = 'https://27174eb0bf3233301bebb4ca6741278b3007149b.extensions.allizom.org/';

const STEP = 20_000;

export async function launchFirefoxWithExtension(options: { extensionDir?: string; executablePath?: string; headless?: boolean } = {}): Promise<LaunchedExtension> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: options.executablePath ?? FIREFOX_PATH,
    headless: options.headless ?? true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: FIREFOX_EXTENSION_UUID }),
      // Grants permissions.request() without the doorhanger nobody can click headless; the request
      // itself (exact origin, user gesture) still runs through the extension's code.
      'extensions.webextOptionalPermissionPrompts': false,
      // Firefox's own alert windows instead of the desktop's notification service (absent headless,
      // where notifications would close at once); kept open so `notifications.getAll()` can see them.
      'alerts.useSystemBackend': false,
      'alerts.totalOpenTime': 3_600_000,
    },
  });
  const baseUrl = `moz-extension://${FIREFOX_EXTENSION_UUID}/`;
  const extensionId = await browser.installExtension(options.extensionDir ?? DEFAULT_FIREFOX_EXTENSION_DIR);

  async function openPage(page: string): Promise<Page> {
    const tab = await browser.newPage();
    const url = `${baseUrl}${page}`;
    // goto() never sees a load event for moz-extension: documents; start it and wait for the page.
    void tab.goto(url, { timeout: STEP }).catch(() => undefined);
    // Polled from here, not with waitForFunction: an evaluation that overlaps the navigation fails
    // (its realm goes away), and that only means "not yet".
    const deadline = Date.now() + STEP;
    for (;;) {
      const ready = await tab.evaluate((expected) => location.href === expected && document.readyState === 'complete', url).catch(() => false);
      if (ready) return tab;
      if (Date.now() > deadline) throw new Error(`${url} did not load in Firefox`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  let control: Page | null = null;
  // BiDi has no prefers-color-scheme emulation yet; this pref is what Firefox's own settings change.
  async function setContentColorScheme(scheme: 'light' | 'dark'): Promise<void> {
    // BidiBrowser exposes its connection; the public Browser type does not declare it.
    const connection = (browser as unknown as { connection: unknown }).connection as { send(method: string, params: object): Promise<{ result: { contexts: { context: string }[] } }> };
    const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const context = tree.result.contexts[0]?.context;
    if (!context) throw new Error('No Firefox chrome window to set the colour scheme from.');
    // 0 = dark, 1 = light (2 would follow the system, which headless has none of).
    const value = scheme === 'dark' ? 0 : 1;
    await connection.send('script.evaluate', { expression: `Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override', ${value})`, target: { context }, awaitPromise: false });
  }
  return {
    browser,
    extensionId,
    baseUrl,
    engine: 'gecko',
    async colorScheme(page, scheme) {
      await setContentColorScheme(scheme);
      await page.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, { timeout: STEP }, scheme === 'dark');
    },
    async evaluate(fn, arg) {
      control ??= await openPage('options.html');
      return control.evaluate(fn as (arg: unknown) => unknown, arg) as never;
    },
    openPage,
    async waitForAuthWindow(urlPart, timeout = 15_000) {
      const target = await browser.waitForTarget((t) => t.type() === 'page' && t.url().includes(urlPart), { timeout });
      return target.asPage();
    },
    close: () => browser.close(),
  };
}
