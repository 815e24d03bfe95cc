import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// The IdP, reference database and end-to-end suites run in Node on SQLite; the extension's unit tests
// run under WXT's vitest plugin with its fake browser (extension/vitest.config.ts). With
// IDP_TEST_POSTGRES_URL set (`.ci/run` sets it when a server answers), the in-process end-to-end suites
// run a second time with every test IdP on its own fresh PostgreSQL database (and on Redis for
// short-lived state when IDP_TEST_REDIS_URL is set), plus the multi-instance suite; and the unit tests
// that open a store run a second time, each on a fresh PostgreSQL database.
const node = {
  environment: 'node',
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Integration suites each start real processes; two cores, so keep parallelism modest.
  maxWorkers: 2,
} as const;

const projects: (TestProjectInlineConfiguration | string)[] = [
  {
    test: {
      ...node,
      name: 'node',
      include: ['idp/**/*.test.ts', 'shared/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['test/scale-out/**'],
    },
  },
  'extension/vitest.config.ts',
];

/**
 * The unit tests that open a store (through test/helpers/test-store.ts): rerun on PostgreSQL by the
 * `unit-postgres` project (store.test.ts checks that every such test is listed here).
 */
const storeUnitTests = [
  'idp/src/apikeys/api-key-service.test.ts',
  'idp/src/databases/database-service.test.ts',
  'idp/src/passkeys/passkey-service.test.ts',
  'idp/src/storage/secret-box.test.ts',
  'idp/src/security/two-factor-service.test.ts',
  'idp/src/storage/oidc-adapter.test.ts',
  'idp/src/storage/store-sealing.test.ts',
];

if (process.env.IDP_TEST_POSTGRES_URL) {
  projects.push({
    test: { ...node, name: 'unit-postgres', include: storeUnitTests, env: { IDP_TEST_STORE: 'postgres' } },
  });
  projects.push({
    test: {
      ...node,
      name: 'postgres',
      include: ['test/e2e/**/*.test.ts', 'test/scale-out/**/*.test.ts'],
      // Browsers, the bench and the node:cluster suites exercise the process model, not the store; the
      // logs and graceful-shutdown suites run their own `idp serve` on SQLite whatever the project.
      exclude: ['test/e2e/security-browser.test.ts', 'test/e2e/extension*.test.ts', 'test/e2e/workers.test.ts', 'test/e2e/metrics-workers.test.ts', 'test/e2e/logs.test.ts',
        'test/e2e/graceful-shutdown.test.ts'],
      env: { IDP_TEST_STORE: 'postgres' },
    },
  });
}

export default defineConfig({ test: { projects } });
