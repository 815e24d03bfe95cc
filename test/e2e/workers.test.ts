/**
 * The IdP on several processes (IDP_WORKERS=2, node:cluster): the real `idp serve` runs as a child
 * process; every request below opens its own connection, so the primary spreads them over both workers.
 * A session made by one worker holds on every following request, sign-in throttling counts failures
 * across workers, a killed worker is replaced, and SIGTERM stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runIdp } from '../helpers/cli.ts';
import { tempDir } from '../helpers/idp.ts';
import { findForm } from '../helpers/browser.ts';
import { HttpSession, type HttpResponse } from '../helpers/http-session.ts';

const email = 'grace@example.com';
const password = 'a sufficiently long passphrase';
let dataDir: string;
let port: number;
let idp: ChildProcess;
let stderr = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    }).on('error', reject);
  });
}

function workerPids(): number[] {
  const file = `/proc/${idp.pid}/task/${idp.pid}/children`;
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out; IdP said:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const newSession = () => new HttpSession({ host: '127.0.0.1', port, origin: `http://localhost:${port}` }, false);

async function follow(session: HttpSession, res: HttpResponse): Promise<HttpResponse> {
  for (let hops = 0; res.location && res.status >= 300 && res.status < 400 && hops < 10; hops++) res = await session.request('GET', res.location);
  return res;
}

beforeAll(async () => {
  dataDir = tempDir('latchkey-workers-');
  port = await freePort();
  const created = await runIdp(['account', 'create', '--email', email, '--password', password], { IDP_DATA_DIR: dataDir });
  expect(created.code, created.stderr).toBe(0);
  idp = spawn(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, IDP_WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_LOG_LEVEL: 'info', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  idp.stderr!.on('data', (d) => (stderr += d));
  await waitFor(() => stderr.includes('IdP listening on'), 30_000);
}, 60_000);

afterAll(() => {
  if (idp && idp.exitCode === null) idp.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('IDP_WORKERS=2', () => {
  it('runs two workers behind one port', () => {
    expect(stderr).toContain('2 workers');
    expect(workerPids()).toHaveLength(2);
  });

  it('keeps a session made on one worker on every following request', async () => {
    const session = newSession();
    const loginPage = await follow(session, await session.request('GET', '/my/login'));
    expect(loginPage.status).toBe(200);
    const form = findForm(loginPage.body, '/login');
    const submitted = await session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, email, password }, headers: { origin: session.target.origin } });
    const account = await follow(session, submitted);
    expect(account.status, account.body.slice(0, 300)).toBe(200);
    expect(account.body).toContain(email);
    for (let i = 0; i < 20; i++) {
      const page = await session.request('GET', '/my/account');
      expect(page.status, `request ${i}`).toBe(200);
      expect(page.body).toContain(email);
    }
  }, 30_000);

  it('counts failed sign-ins across workers: the 11th attempt is throttled', async () => {
    const session = newSession();
    let page = await follow(session, await session.request('GET', '/my/login'));
    for (let i = 0; i < 10; i++) {
      const form = findForm(page.body, '/login');
      page = await session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, email, password: `wrong password ${i}` }, headers: { origin: session.target.origin } });
      expect(page.status, `attempt ${i + 1}`).toBe(401);
    }
    const form = findForm(page.body, '/login');
    page = await session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, email, password }, headers: { origin: session.target.origin } });
    expect(page.status).toBe(429);
    expect(page.headers['retry-after']).toBeDefined();
  }, 30_000);

  it('replaces a worker that dies, and serves meanwhile', async () => {
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    // A connection handed out in the instant before the primary reaps the worker dies with it (node:cluster).
    await waitFor(() => !workerPids().includes(victim!), 10_000);
    for (let i = 0; i < 10; i++) {
      const res = await newSession().request('GET', '/.well-known/openid-configuration');
      expect(res.status).toBe(200);
    }
    await waitFor(() => { const pids = workerPids(); return pids.length === 2 && !pids.includes(victim!); }, 15_000);
  }, 30_000);

  it('stops every worker on SIGTERM', async () => {
    const pids = workerPids();
    const exited = new Promise<number | null>((resolve) => idp.once('exit', (code) => resolve(code)));
    idp.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 20_000);
});
