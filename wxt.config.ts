import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * WXT configuration for the Latchkey browser extension (sources in `extension/`).
 *
 * The repository root also holds the IdP and test suites; WXT only looks at `srcDir`, `publicDir`
 * and `modulesDir`, so everything it reads is pointed inside `extension/`.
 */

/**
 * Public half of the RSA key that pins the unpacked extension ID in Chrome to
 * `fidbdcnbmjdaepbknnhbpdanaoaiacmc` (redirect URI `https://fidbdcnbmjdaepbknnhbpdanaoaiacmc.chromiumapp.org/`).
 * The private half was never stored: the Web Store signs published builds with its own key.
 */
const CHROME_DEV_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Rq4oIw3NhZ6ZORmoLMWoQLt9IEZQguSuFFp0qHRyozEfqJdixvic9OgW1bm7UP3dMzw1PeJBNeoXQVL/my0elXxnzA9h39/qKDalHEgnkbu+wGbJ0K2ujb9rFxTfbs0L7xQpjcwzl0DmfRJ3AS3ywTC874mkTY7p/vlsx1pukELNUUmKa6lhjoKH9J9xLSDSbM7q7eMmKr0zlhSxQN7ME8H+tFvO+MEAu9yatzjxdeTpx/sFozd9GsqVdF57SC3z0YJCP0/ShPMzbU/ms4v6BC7KLSV2s8A8nv1CvCvKg74ddqTcez/nFhxGvtdSMouQEOgCuLgEpN6SZo7J3WfqwIDAQAB';

/** Stable Firefox add-on ID; Firefox derives the identity redirect URL from it. */
const GECKO_ADDON_ID = 'latchkey-extension@latchkey.dev';

/** Every size the manifests and stores use, drawn by extension/tools/make-icons.ts. */
const ICONS = Object.fromEntries([16, 32, 48, 64, 96, 128].map((size) => [String(size), `icon/${size}.png`]));

/** Any IdP origin may be granted at runtime; the options page asks for exactly one. */
const IDP_ORIGIN_PATTERNS = ['http://*/*', 'https://*/*'];

/**
 * End-to-end builds only: `LATCHKEY_E2E_HOSTS="http://127.0.0.1/*"` grants these origins at install,
 * because a headless browser has nobody to click the permission prompt. Never set for releases.
 */
const E2E_HOSTS = (process.env.LATCHKEY_E2E_HOSTS ?? '').split(',').filter(Boolean);

export default defineConfig({
  srcDir: 'extension',
  publicDir: 'extension/public',
  modulesDir: 'extension/modules',
  outDir: '.output',
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  // Firefox's sources zip (for AMO review) needs only what builds the extension, not the IdP or suites.
  zip: { excludeSources: ['idp/**', 'test/**', 'data/**', 'coverage/**', '.bench/**', '**/*.log'] },
  manifest: ({ browser, manifestVersion }) => ({
    name: 'Latchkey',
    description: 'Your Latchkey account at a glance: security status, databases, devices and API keys.',
    permissions: ['storage', 'alarms', 'identity', 'notifications'],
    ...(manifestVersion === 3
      ? { optional_host_permissions: IDP_ORIGIN_PATTERNS, ...(E2E_HOSTS.length ? { host_permissions: E2E_HOSTS } : {}) }
      : { optional_permissions: IDP_ORIGIN_PATTERNS }),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ADDON_ID,
              strict_min_version: '115.0',
              // AMO's data-collection declaration: tokens and the account's data travel only between the
              // extension and the IdP the person configured (see "Privacy" in extension/README.md).
              data_collection_permissions: { required: ['authenticationInfo', 'personallyIdentifyingInfo'] },
            },
          },
        }
      : { key: CHROME_DEV_PUBLIC_KEY }),
    action: { default_title: 'Latchkey', default_icon: ICONS },
    icons: ICONS,
  }),
});
