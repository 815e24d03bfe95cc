/**
 * A rolling restart of two IdP instances on one PostgreSQL (and Redis when IDP_TEST_REDIS_URL is set)
 * behind a load balancer, under a steady load, without one failed request (issue 19). The balancer is a
 * tiny round-robin proxy in this test: it polls each instance's `/readyz` every 100 ms and sends nothing
 * to one that does not answer 200, and it retries a request on another instance only when the
 * connection was refused, before any byte was sent; anything else that goes wrong reaches the client as
 * a 502 and counts as a failure. Instance A is restarted (SIGTERM, exit 0, started again), then B.
 * Runs when IDP_TEST_POSTGRES_URL is set (the `postgres` vitest project).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdp } from '../helpers/cli.ts';
import { freePort } from '../helpers/databases.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { tempDir } from '../helpers/idp.ts';
import { clearRedisPrefix, createTestDatabase, testPostgresUrl, testRedisUrl, type TestDatabase } from '../helpers/postgres.ts';
import { expectStatus, signInOnce, signInPage, startServe, steadyLoad, type ServeProcess } from '../helpers/serve-process.ts';

const email = 'rolling-pg@example.com';
const password = 'a sufficiently long passphrase';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Backend {
  port: number;
  ready: boolean;
  served: number;
}

/** The balancer: round robin over the backends whose /readyz answered 200 last. */
function loadBalancer(backends: Backend[]): { server: http.Server; retried: () => number; close(): Promise<void> } {
  let next = 0;
  let retried = 0;
  let polling = true;
  const poll = async (backend: Backend) => {
    while (polling) {
      backend.ready = await new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: backend.port, path: '/readyz', agent: false, timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
      });
      await sleep(100);
    }
  };
  const polls = backends.map(poll);

  const pick = (exclude: Set<Backend>): Backend | undefined => {
    for (let i = 0; i < backends.length; i++) {
      const backend = backends[(next + i) % backends.length]!;
      if (backend.ready && !exclude.has(backend)) {
        next = (next + i + 1) % backends.length;
        return backend;
      }
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const tried = new Set<Backend>();
      const forward = () => {
        const backend = pick(tried);
        if (!backend) {
          res.writeHead(502).end('no instance is ready');
          return;
        }
        tried.add(backend);
        let connected = false;
        const upstream = http.request({ host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
          backend.served++;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        });
        upstream.on('socket', (socket) => socket.once('connect', () => (connected = true)));
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (!connected && error.code === 'ECONNREFUSED' && !res.headersSent) {
            retried++;
            backend.ready = false;
            forward();
            return;
          }
          if (!res.headersSent) res.writeHead(502).end(`upstream ${backend.port}: ${error.code ?? error.message}`);
          else res.destroy();
        });
        upstream.end(body);
      };
      forward();
    });
  });
  return {
    server,
    retried: () => retried,
    async close() {
      polling = false;
      await Promise.all(polls);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

describe.skipIf(!testPostgresUrl)('two instances on PostgreSQL behind a load balancer', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let balancer: ReturnType<typeof loadBalancer>;
  let dataDir: string;
  const backends: Backend[] = [];
  const instances: ServeProcess[] = [];

  const start = async (i: number) => {
    instances[i] = await startServe({ ...env, PORT: String(backends[i]!.port) });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = tempDir('latchkey-rolling-pg-');
    const balancerPort = await freePort();
    env = {
      IDP_DATABASE_URL: database.url, IDP_SECRET_KEY: crypto.randomBytes(32).toString('base64'), IDP_ISSUER: `http://localhost:${balancerPort}`,
      IDP_DATA_DIR: dataDir, HOST: '127.0.0.1', IDP_WORKERS: '1',
      // Longer than a few of the balancer's polls, so it has taken the instance out before the listener closes.
      IDP_SHUTDOWN_DELAY_MS: '1000', IDP_SHUTDOWN_GRACE_MS: '10000',
      ...(testRedisUrl ? { IDP_REDIS_URL: testRedisUrl, IDP_REDIS_PREFIX: `lktest:${crypto.randomBytes(6).toString('hex')}:` } : {}),
    };
    const created = await runIdp(['account', 'create', '--email', email, '--password', password], env);
    expect(created.code, created.stderr).toBe(0);
    for (let i = 0; i < 2; i++) backends.push({ port: await freePort(), ready: false, served: 0 });
    await Promise.all([start(0), start(1)]);
    balancer = loadBalancer(backends);
    await new Promise<void>((resolve) => balancer.server.listen(balancerPort, '127.0.0.1', resolve));
    while (!backends.every((b) => b.ready)) await sleep(50);
  }, 120_000);

  afterAll(async () => {
    await balancer?.close();
    for (const instance of instances) if (instance && instance.child.exitCode === null && instance.child.signalCode === null) instance.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance?.exited));
    await database?.drop();
    if (env?.IDP_REDIS_URL) await clearRedisPrefix(env.IDP_REDIS_URL, env.IDP_REDIS_PREFIX!);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts A, then B, under load with zero failed requests', async () => {
    const port = (balancer.server.address() as AddressInfo).port;
    const origin = env.IDP_ISSUER!;
    // Three browsers reloading their sign-in page, each request on its own connection, and one signing in
    // again and again (its session made on one instance, used on the other).
    const browsers = Array.from({ length: 3 }, () => new HttpSession({ host: '127.0.0.1', port, origin }, false));
    const pages = await Promise.all(browsers.map((b) => signInPage(b)));
    const signer = new HttpSession({ host: '127.0.0.1', port, origin }, new http.Agent({ keepAlive: true }));
    const load = steadyLoad(4, async (n) => {
      if (n === 3) return signInOnce(signer, email, password);
      expectStatus(await browsers[n]!.request('GET', pages[n]!), 200, 'the sign-in page');
      return 1;
    });

    await sleep(1000);
    for (const i of [0, 1]) {
      instances[i]!.kill('SIGTERM');
      expect(await instances[i]!.exited, instances[i]!.output()).toBe(0);
      expect(instances[i]!.output()).toMatch(/stopped: requests finished/);
      const servedBefore = backends[i]!.served;
      await start(i);
      const end = Date.now() + 30_000;
      while (backends[i]!.served === servedBefore || !backends[i]!.ready) {
        if (Date.now() > end) throw new Error(`instance ${i} serves no requests after its restart`);
        await sleep(50);
      }
      await sleep(500);
    }
    await sleep(1000);
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(load.ok()).toBeGreaterThan(20);
    expect(backends.every((b) => b.served > 0)).toBe(true);
  }, 60_000);
});
