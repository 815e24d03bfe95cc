/**
 * Durability under kill -9 (issue 20): `idp serve` as a child process takes sign-ups from several
 * concurrent clients; when enough are acknowledged (the "check your inbox" page came back) the process
 * is killed with SIGKILL mid-load, restarted on the same store, and every acknowledged account must be
 * there. Several rounds on one store. SQLite in the `node` project, PostgreSQL (and Redis when set) in
 * the `postgres` project.
 *
 * Sign-ups come from distinct X-Forwarded-For addresses (IDP_TRUST_PROXY=1) so the per-IP sign-up limit
 * does not stop the load.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm } from '../helpers/browser.ts';
import { freePort, repoRoot, startProcess } from '../helpers/databases.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { tempDir } from '../helpers/idp.ts';
import { clearRedisPrefix, createTestDatabase, testOnPostgres, testRedisUrl, type TestDatabase } from '../helpers/postgres.ts';
import { openStore } from '../../idp/src/storage/store.ts';

const engine = testOnPostgres ? 'postgres' : 'sqlite';
const ROUNDS = 3;
const CLIENTS = 8;
/** Kill once this many sign-ups of the round are acknowledged (or after LOAD_MS). */
const KILL_AFTER = 25;
const LOAD_MS = 8000;

describe(`kill -9 under load (${engine})`, () => {
  const dataDir = tempDir('latchkey-kill9-');
  let database: TestDatabase | undefined;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    env = {
      PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_LOG_LEVEL: 'info', IDP_WORKERS: '1',
      IDP_TRUST_PROXY: '1', NODE_ENV: 'development',
    };
    if (testOnPostgres) {
      database = await createTestDatabase();
      Object.assign(env, { IDP_DATABASE_URL: database.url, IDP_SECRET_KEY: crypto.randomBytes(32).toString('base64') });
      if (testRedisUrl) Object.assign(env, { IDP_REDIS_URL: testRedisUrl, IDP_REDIS_PREFIX: `lktest:${crypto.randomBytes(6).toString('hex')}:` });
    }
  });
  afterAll(async () => {
    await database?.drop();
    if (env?.IDP_REDIS_URL) await clearRedisPrefix(env.IDP_REDIS_URL, env.IDP_REDIS_PREFIX!);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const serve = () => startProcess(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], env, /IdP listening/);

  /** Every account email in the store, read with the server stopped. */
  async function storedEmails(): Promise<Set<string>> {
    const store = await openStore({ databaseUrl: env.IDP_DATABASE_URL, sqliteFile: path.join(dataDir, 'idp.sqlite'), migrate: false });
    try {
      if (engine === 'sqlite') {
        expect(await store.get<{ integrity_check: string }>('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
      }
      const rows = await store.all<{ email: string }>('SELECT email FROM accounts');
      return new Set(rows.map((r) => r.email.toLowerCase()));
    } finally {
      await store.close();
    }
  }

  it(`keeps every acknowledged sign-up across ${ROUNDS} SIGKILLs`, async () => {
    const acknowledged: string[] = [];
    let attempted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const idp = await serve();
      const started = Date.now();
      let ackedThisRound = 0;
      let stop = false;
      const client = async (n: number) => {
        // One browser per client: its CSRF cookie and the form token that goes with it.
        const session = new HttpSession({ host: '127.0.0.1', port, origin: `http://localhost:${port}` }, new http.Agent({ keepAlive: true }));
        const page = await session.request('GET', '/signup');
        const { hidden } = findForm(page.body, '/signup');
        for (let i = 0; !stop; i++) {
          const email = `k9-${round}-${n}-${i}-${crypto.randomBytes(3).toString('hex')}@example.com`;
          attempted++;
          const res = await session.request('POST', '/signup', {
            form: { ...hidden, name: 'Kill Nine', email, password: 'correct horse battery staple 9' },
            headers: { origin: `http://localhost:${port}`, 'x-forwarded-for': `10.${n}.${(i >> 8) & 255}.${i & 255}` },
          }).catch(() => undefined); // the kill resets the connection: neither acknowledged nor refused
          if (!res) return;
          if (res.status === 200 && /check your (inbox|email)/i.test(res.body)) {
            acknowledged.push(email);
            if (++ackedThisRound >= KILL_AFTER) stop = true;
          } else if (res.status >= 500) {
            throw new Error(`sign-up answered ${res.status}: ${res.body.slice(0, 200)}`);
          }
          if (Date.now() - started > LOAD_MS) stop = true;
        }
      };
      const failures: unknown[] = [];
      const clients = Array.from({ length: CLIENTS }, (_, n) => client(n).catch((error: unknown) => {
        failures.push(error);
        stop = true;
      }));
      // Kill while requests are in flight: as soon as the round has its acknowledgements.
      while (!stop && Date.now() - started < LOAD_MS) await new Promise((r) => setTimeout(r, 20));
      idp.child.kill('SIGKILL');
      await new Promise<void>((resolve) => (idp.child.exitCode !== null || idp.child.signalCode !== null ? resolve() : idp.child.once('exit', () => resolve())));
      await Promise.all(clients);
      expect(failures).toEqual([]);
      expect(idp.child.signalCode).toBe('SIGKILL');

      const stored = await storedEmails();
      const lost = acknowledged.filter((email) => !stored.has(email));
      expect(lost, `round ${round}: acknowledged sign-ups missing after kill -9`).toEqual([]);
    }
    // A clean start after the last kill serves again.
    const idp = await serve();
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await idp.stop();
    }
    const stored = await storedEmails();
    expect(acknowledged.filter((email) => !stored.has(email))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS * 5);
    expect(attempted).toBeGreaterThan(acknowledged.length); // requests were in flight at each kill
    console.log(`kill9 (${engine}): ${ROUNDS} SIGKILLs, ${attempted} sign-ups tried, ${acknowledged.length} acknowledged, 0 lost`);
  }, 180_000);
});
