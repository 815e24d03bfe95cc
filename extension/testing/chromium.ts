/**
 * Loads the built Chrome extension (`.output/chrome-mv3`) into a real Chromium through puppeteer,
 * for end-to-end suites in `test/`. Build first: `npx wxt build` (set LATCHKEY_E2E_HOSTS to have the
 * IdP's host permission granted at install, since nobody can click the permission prompt in CI).
 *
 *   const ext = await launchChromiumWithExtension();
 *   const popup = await ext.openPage('popup.html');
 *   ...
 *   await ext.close();
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, findChromium } from '../../test/helpers/chromium.ts';

export const DEFAULT_EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.output/chrome-mv3');
/** Pinned by the manifest `key` in wxt.config.ts. */
export const EXPECTED_EXTENSION_ID = 'fidbdcnbmjdaepbknnhbpdanaoaiacmc';

export interface LaunchedExtension {
  browser: Browser;
  extensionId: string;
  /** `chrome-extension://<id>/` or `moz-extension://<uuid>/`. */
  baseUrl: string;
  engine: 'chromium' | 'gecko';
  /**
   * Runs `fn` where the WebExtension APIs are (`chrome.*` / `browser.*`): the background service
   * worker in Chromium, an extension page in Firefox. Use it to read storage or the badge.
   */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** `prefers-color-scheme` as the page sees it (dark mode checks). */
  colorScheme(page: Page, scheme: 'light' | 'dark'): Promise<void>;
  /** Opens an extension page (`popup.html`, `options.html`) in a normal tab. */
  openPage(page: string): Promise<Page>;
  /**
   * The window `identity.launchWebAuthFlow` opened (it is an ordinary page target, also headless),
   * so a test can fill in the IdP's login form. `urlPart` is e.g. the IdP's `/auth` or `/interaction/`.
   */
  waitForAuthWindow(urlPart: string, timeout?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromiumWithExtension(options: { extensionDir?: string; executablePath?: string; headless?: boolean; extraArgs?: string[] } = {}): Promise<LaunchedExtension> {
  const extensionDir = options.extensionDir ?? DEFAULT_EXTENSION_DIR;
  const browser = await puppeteer.launch({
    executablePath: options.executablePath ?? findChromium(),
    // Puppeteer's `true` is the "new" headless mode, the only one that can load extensions.
    headless: options.headless ?? true,
    pipe: true,
    // Only stops puppeteer from adding --disable-extensions; the flags below load the extension.
    enableExtensions: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      ...CHROMIUM_ARGS,
      ...(options.extraArgs ?? []),
    ],
  });
  const findWorker = async () => {
    const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://') && t.url().endsWith('/background.js'), { timeout: 15_000 });
    const worker = await target.worker();
    if (!worker) throw new Error('The extension service worker did not start.');
    return { worker, id: new URL(target.url()).host };
  };
  const { id: extensionId } = await findWorker();
  return {
    browser,
    extensionId,
    baseUrl: `chrome-extension://${extensionId}/`,
    engine: 'chromium',
    // A stopped worker is a new target when it wakes up, so look it up each time.
    colorScheme: (page, scheme) => page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]),
    evaluate: async (fn, arg) => (await findWorker()).worker.evaluate(fn as (arg: unknown) => unknown, arg) as never,
    async openPage(page) {
      const tab = await browser.newPage();
      await tab.goto(`chrome-extension://${extensionId}/${page}`);
      return tab;
    },
    async waitForAuthWindow(urlPart, timeout = 15_000) {
      const target = await browser.waitForTarget((t) => t.type() === 'page' && t.url().includes(urlPart), { timeout });
      return target.asPage();
    },
    close: () => browser.close(),
  };
}
