/**
 * One IdP per end-to-end suite, started and stopped by vitest hooks:
 *
 *   const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
 *   let client: SeededClient;
 *   beforeAll(async () => { client = await seedClient(idp); });   // runs after the IdP is up
 *   afterAll(async () => rp?.close());                             // runs before the IdP stops
 *
 * It registers `beforeAll` (start the real IdP on a random port with a temporary store and a mail
 * capture, see startTestIdp), `afterAll` (stop it, drop its store) and, with `resetClock`, an
 * `afterEach` that puts the IdP clock back. Call it at the top of the file, before the suite's own
 * hooks: vitest runs `beforeAll` hooks in the order they are registered and `afterAll` hooks in
 * reverse (its default `sequence.hooks: 'stack'`), so the suite's set-up sees a running IdP and its
 * teardown runs while the IdP still answers.
 *
 * The returned value is the running TestIdp itself (a stand-in that forwards to it), so tests read
 * `idp.issuer`, `idp.services`, `idp.mails` as before; touching it before `beforeAll` ran (at module
 * level) throws a clear error instead of reading undefined.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestIdp, type TestIdp } from './idp.ts';
import { resetClock } from './security.ts';

export interface UseTestIdpOptions {
  /** Settings for the IdP (`IDP_*`), on top of the test defaults. */
  env?: Record<string, string>;
  /** `'sqlite'` keeps this IdP on SQLite even in the `postgres` vitest project. */
  store?: 'sqlite' | 'default';
  /** Put the IdP clock back after every test, for suites that move it (`advance`, `clock.offsetMs`). */
  resetClock?: boolean;
}

export function useTestIdp(options: UseTestIdpOptions = {}): TestIdp {
  let running: TestIdp | undefined;
  beforeAll(async () => {
    running = await startTestIdp(options.env, { store: options.store });
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  if (options.resetClock) afterEach(() => resetClock());

  const current = (): TestIdp => {
    if (!running) throw new Error('useTestIdp(): the IdP is started in beforeAll and stopped in afterAll; use it inside a test or a hook.');
    return running;
  };
  return new Proxy({} as TestIdp, {
    get: (_, key) => Reflect.get(current(), key),
    has: (_, key) => Reflect.has(current(), key),
  });
}
