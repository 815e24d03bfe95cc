/**
 * The one Chromium finder for every browser test (the end-to-end suites, and the extension's loader in
 * extension/testing/chromium.ts), in the README's order: PUPPETEER_EXECUTABLE_PATH, then
 * /usr/bin/chromium, then a browser in puppeteer's cache directory ($PUPPETEER_CACHE_DIR or
 * ~/.cache/puppeteer); otherwise a clear error saying how to get one. `launchChromium` starts it
 * headless with CHROMIUM_ARGS (no sandbox, GPU, first-run or background traffic: CI containers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function fromPuppeteerCache(): string | undefined {
  const root = process.env.PUPPETEER_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'puppeteer');
  for (const kind of ['chrome', 'chromium', 'chrome-headless-shell']) {
    const dir = path.join(root, kind);
    if (!fs.existsSync(dir)) continue;
    for (const version of fs.readdirSync(dir).sort().reverse()) {
      for (const candidate of ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-headless-shell-linux64/chrome-headless-shell']) {
        const file = path.join(dir, version, candidate);
        if (fs.existsSync(file)) return file;
      }
    }
  }
  return undefined;
}

export function findChromium(): string {
  const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', fromPuppeteerCache()];
  const found = candidates.find((c): c is string => Boolean(c && fs.existsSync(c)));
  if (!found) {
    throw new Error('No Chromium found for browser tests. Install it with `apt-get install chromium`, or set PUPPETEER_EXECUTABLE_PATH to a Chrome/Chromium binary.');
  }
  return found;
}

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
}
