import path from 'node:path';
import { defineProject } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

const root = path.resolve(import.meta.dirname, '..');

// Unit tests for the extension: WXT's plugin stubs `browser`/`chrome` with its fake browser.
// The code imports webextension-polyfill, which would refuse to load outside an extension, so it is
// pointed at the same fake.
export default defineProject({
  plugins: [WxtVitest({ root })],
  resolve: {
    alias: [{ find: /^webextension-polyfill$/, replacement: path.resolve(root, 'node_modules/wxt/dist/virtual/mock-browser.mjs') }],
  },
  test: {
    name: 'extension',
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    environment: 'node',
    setupFiles: ['fake-indexeddb/auto'],
  },
});
