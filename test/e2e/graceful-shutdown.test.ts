/**
 * Graceful shutdown and rolling restarts of the real `idp serve` (issue 19), on SQLite:
 * - one instance under a steady load of sign-in-page GETs (keep-alive connections) with a sign-up POST
 *   whose body is still arriving when the listener closes: SIGTERM makes `/readyz` answer 503 at once,
 *   the IdP serves on through IDP_SHUTDOWN_DELAY_MS, every request in flight gets its 2xx, the process
 *   exits 0, and the sign-ups made just before and during the drain are in the store afterwards;
 * - IDP_WORKERS=2 under a steady load: SIGHUP replaces both workers one at a time without one failed
 *   request, and SIGTERM then drains them and the primary exits 0.
 * The load stops sending once it has seen `/readyz` at 503 (as a load balancer would), so a refused
 * connection never counts; any other error or status does.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findForm } from '../helpers/browser.ts';
import { freePort } from '../helpers/databases.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { tempDir } from '../helpers/idp.ts';
import { runIdp } from '../helpers/cli.ts';
import { expectStatus, signInOnce, signInPage, startServe, steadyLoad, type ServeProcess } from '../helpers/serve-process.ts';
import { openStore } from '../../idp/src/storage/store.ts';

const DELAY_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
const running: ServeProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function storedEmails(dataDir: string): Promise<string[]> {
  const store = await openStore({ sqliteFile: path.join(dataDir, 'idp.sqlite'), migrate: false });
  try {
    return (await store.all<{ email: string }>('SELECT email FROM accounts')).map((r) => r.email);
  } finally {
    await store.close();
  }
}

/** A sign-up whose body is sent in two halves: `finish()` sends the rest and resolves with the answer. */
async function slowSignUp(port: number, email: string): Promise<{ finish(): Promise<{ status: number; body: string }> }> {
  const session = new HttpSession({ host: '127.0.0.1', port, origin: `http://localhost:${port}` }, false);
  const page = expectStatus(await session.request('GET', '/signup'), 200, 'the sign-up page');
  const { hidden } = findForm(page.body, '/signup');
  const body = new URLSearchParams({ ...hidden, name: 'Slow Writer', email, password: 'correct horse battery staple 19' }).toString();
  let req!: http.ClientRequest;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/signup', agent: false,
      headers: {
        host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)), cookie: [...session.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  req.write(body.slice(0, 20));
  return {
    finish() {
      req.end(body.slice(20));
      return answer;
    },
  };
}

describe('one instance on SQLite: SIGTERM under load', () => {
  it('answers 503 on /readyz, serves through the delay, finishes every request in flight, keeps the writes and exits 0', async () => {
    const dataDir = tempDir('latchkey-graceful-');
    dirs.push(dataDir);
    const port = await freePort();
    const idp = await startServe({ PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_WORKERS: '1', IDP_SHUTDOWN_DELAY_MS: String(DELAY_MS), IDP_SHUTDOWN_GRACE_MS: '10000' });
    running.push(idp);
    const origin = `http://localhost:${port}`;

    // Readiness as a load balancer sees it: a fresh connection every 100 ms.
    const readiness: { at: number; status: number | string; reason?: string }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await new HttpSession({ host: '127.0.0.1', port, origin }, false).request('GET', '/readyz')
          .then((r) => ({ status: r.status, reason: (JSON.parse(r.body) as { reason?: string }).reason }), (e: { code?: string }) => ({ status: e.code ?? 'error' }));
        readiness.push({ at: Date.now(), ...res });
        await sleep(100);
      }
    })();
    const notReadySince = () => readiness.find((r) => r.status === 503)?.at;

    // The load: four browsers on keep-alive connections, each reloading its sign-in page, stopping
    // half-way through the delay after /readyz said 503 (a balancer takes the instance out then).
    const sessions = Array.from({ length: 4 }, () => new HttpSession({ host: '127.0.0.1', port, origin }, new http.Agent({ keepAlive: true, maxSockets: 1 })));
    const pages = await Promise.all(sessions.map((s) => signInPage(s)));
    const servedAt: number[] = [];
    let stopLoad = false;
    const load = steadyLoad(4, async (n) => {
      if (stopLoad) {
        await sleep(20);
        return 0;
      }
      const res = await sessions[n]!.request('GET', pages[n]!);
      expectStatus(res, 200, 'the sign-in page');
      servedAt.push(Date.now());
      return 1;
    });
    const watch = setInterval(() => {
      const since = notReadySince();
      if (since && Date.now() - since > DELAY_MS / 3) stopLoad = true;
    }, 20);

    await sleep(1000);
    // A write acknowledged just before SIGTERM, and one whose body is still arriving when the listener closes.
    const before = `before-sigterm-${Date.now()}@example.com`;
    const during = `during-drain-${Date.now()}@example.com`;
    const beforeSession = new HttpSession({ host: '127.0.0.1', port, origin }, false);
    const { hidden } = findForm((await beforeSession.request('GET', '/signup')).body, '/signup');
    const slow = await slowSignUp(port, during);
    const acknowledged = await beforeSession.request('POST', '/signup', { form: { ...hidden, name: 'Early Bird', email: before, password: 'correct horse battery staple 19' }, headers: { origin } });
    expect(acknowledged.status, acknowledged.body.slice(0, 300)).toBe(200);
    const sigtermAt = Date.now();
    idp.kill('SIGTERM');

    // Past the delay the listener is closed: new connections are refused, the slow sign-up is still in flight.
    const refused = async () => new HttpSession({ host: '127.0.0.1', port, origin }, false).request('GET', '/healthz').then(() => false, (e: { code?: string }) => e.code === 'ECONNREFUSED');
    while (!(await refused())) {
      if (Date.now() - sigtermAt > DELAY_MS + 10_000) throw new Error(`the listener is still open long after the delay:\n${idp.output()}`);
      await sleep(100);
    }
    expect(Date.now() - sigtermAt, 'the listener stayed open through the delay').toBeGreaterThanOrEqual(DELAY_MS - 100);
    const slowAnswer = await slow.finish();
    expect(slowAnswer.status, slowAnswer.body.slice(0, 300)).toBe(200);
    expect(slowAnswer.body).toMatch(/check your (inbox|email)/i);

    expect(await idp.exited, idp.output()).toBe(0);
    clearInterval(watch);
    await load.stop();
    polling = false;
    await poller;

    expect(load.failures).toEqual([]);
    expect(load.ok()).toBeGreaterThan(10);
    const since = notReadySince();
    expect(since, `/readyz never answered 503: ${JSON.stringify(readiness.slice(-20))}`).toBeDefined();
    expect(readiness.find((r) => r.status === 503)!.reason).toBe('draining');
    expect(servedAt.some((at) => at > since!), 'the sign-in page was still served after /readyz said 503').toBe(true);
    // Ready until SIGTERM, then 503, then refused: never anything else. (A connection still in the
    // kernel's accept queue when the listener closes is reset rather than refused: the same to a balancer.)
    const statuses = readiness.map((r) => (r.status === 'ECONNRESET' ? 'ECONNREFUSED' : r.status));
    expect(statuses.filter((s, i, all) => s !== all[i - 1])).toEqual([200, 503, 'ECONNREFUSED']);
    expect(idp.output()).toMatch(/SIGTERM: draining/);
    expect(idp.output()).toMatch(/stopped: requests finished/);

    const emails = await storedEmails(dataDir);
    expect(emails).toContain(before);
    expect(emails).toContain(during);
  }, 60_000);
});

describe('IDP_WORKERS=2: SIGHUP is a rolling restart', () => {
  const email = 'rolling@example.com';
  const password = 'a sufficiently long passphrase';

  function workerPids(primary: number): number[] {
    return fs.readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  }

  it('replaces both workers one at a time under load without one failed request, then drains on SIGTERM', async () => {
    const dataDir = tempDir('latchkey-rolling-');
    dirs.push(dataDir);
    const port = await freePort();
    const created = await runIdp(['account', 'create', '--email', email, '--password', password], { IDP_DATA_DIR: dataDir });
    expect(created.code, created.stderr).toBe(0);
    const idp = await startServe({ PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_WORKERS: '2', IDP_SHUTDOWN_GRACE_MS: '10000' });
    running.push(idp);
    const origin = `http://localhost:${port}`;
    const primary = idp.child.pid!;
    const before = workerPids(primary);
    expect(before).toHaveLength(2);

    // Two browsers on keep-alive connections reloading their sign-in page, two opening a connection per
    // request (spread over the workers by the primary), one signing in again and again.
    const keepAlive = Array.from({ length: 2 }, () => new HttpSession({ host: '127.0.0.1', port, origin }, new http.Agent({ keepAlive: true, maxSockets: 1 })));
    const fresh = Array.from({ length: 2 }, () => new HttpSession({ host: '127.0.0.1', port, origin }, false));
    const signer = new HttpSession({ host: '127.0.0.1', port, origin }, false);
    const sessions = [...keepAlive, ...fresh];
    const pages = await Promise.all(sessions.map((s) => signInPage(s)));
    const load = steadyLoad(5, async (n) => {
      if (n === 4) return signInOnce(signer, email, password);
      expectStatus(await sessions[n]!.request('GET', pages[n]!), 200, 'the sign-in page');
      return 1;
    });

    await new Promise((r) => setTimeout(r, 1000));
    idp.kill('SIGHUP');
    const atSighup = load.ok();
    const end = Date.now() + 45_000;
    while (!idp.output().includes('rolling restart done')) {
      if (Date.now() > end || /rolling restart stopped/.test(idp.output())) throw new Error(`no rolling restart:\n${idp.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const duringRestart = load.ok() - atSighup;
    // The new workers serve; on a busy machine the load runs on until it has made 20 requests in all.
    const settled = Date.now() + 1000;
    const enough = Date.now() + 30_000;
    while (Date.now() < settled || (load.ok() <= 20 && Date.now() < enough)) await new Promise((r) => setTimeout(r, 100));
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(duringRestart, 'requests answered while the workers were replaced').toBeGreaterThan(0);
    expect(load.ok()).toBeGreaterThan(20);
    const after = workerPids(primary);
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid)), 'every worker was replaced').toEqual([]);
    expect(idp.output()).not.toMatch(/exited \(|starting a new one/); // no exit was taken for a crash

    idp.kill('SIGTERM');
    expect(await idp.exited, idp.output()).toBe(0);
    for (const pid of after) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
