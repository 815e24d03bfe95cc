/**
 * Builds the extension for end-to-end suites into a directory of their own, so a test run never
 * overwrites `.output/`. Host permissions for `LATCHKEY_E2E_HOSTS` (default `http://127.0.0.1/*`) are
 * granted at install, because a headless browser has nobody to click the permission prompt.
 *
 *   node --import tsx extension/testing/build-e2e.ts <outDir> [chrome|firefox]
 *     # chrome:  the extension lands in <outDir>/chrome-mv3
 *     # firefox: the extension lands in <outDir>/firefox-mv3
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'wxt';

const [outDir, browser = 'chrome'] = process.argv.slice(2);
if (!outDir || (browser !== 'chrome' && browser !== 'firefox')) {
  console.error('usage: node --import tsx extension/testing/build-e2e.ts <outDir> [chrome|firefox]');
  process.exit(2);
}
// Unset: loopback is granted; set but empty (`LATCHKEY_E2E_HOSTS=`): nothing is, the suite grants it through the options page.
process.env.LATCHKEY_E2E_HOSTS ??= 'http://127.0.0.1/*';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
await build({ root, outDir: path.resolve(outDir), browser, manifestVersion: 3 });
