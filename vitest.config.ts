import { defineConfig } from 'vitest/config';

// Two projects: the IdP, reference database and end-to-end suites run in Node; the extension's unit
// tests run under WXT's vitest plugin with its fake browser (extension/vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['idp/**/*.test.ts', 'shared/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration suites each start real processes; two cores, so keep parallelism modest.
          maxWorkers: 2,
        },
      },
      'extension/vitest.config.ts',
    ],
  },
});
