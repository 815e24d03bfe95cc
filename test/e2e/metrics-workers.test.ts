/**
 * Metrics under IDP_WORKERS=2: the real `idp serve` as a child process; the primary serves
 * IDP_METRICS_PORT with the sum of its workers' metrics (prom-client's AggregatorRegistry). Requests on
 * fresh connections are spread over both workers, so a count equal to the number of requests (not about
 * half of it) proves both workers answered the scrape; the live-session gauge, which every worker reads
 * from the same store, is not doubled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runIdp } from '../helpers/cli.ts';
import { tempDir } from '../helpers/idp.ts';
import { findForm } from '../helpers/browser.ts';
import { freePort } from '../helpers/databases.ts';
import { HttpSession, type HttpResponse } from '../helpers/http-session.ts';

const email = 'grace@example.com';
const password = 'a sufficiently long passphrase';
let dataDir: string;
let port: number;
let metricsPort: number;
let idp: ChildProcess;
let stderr = '';

const newSession = () => new HttpSession({ host: '127.0.0.1', port, origin: `http://localhost:${port}` }, false);

async function follow(session: HttpSession, res: HttpResponse): Promise<HttpResponse> {
  for (let hops = 0; res.location && res.status >= 300 && res.status < 400 && hops < 10; hops++) res = await session.request('GET', res.location);
  return res;
}

/** The sum of the samples of `name` whose labels include `labels`. */
async function scraped(name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

beforeAll(async () => {
  dataDir = tempDir('latchkey-metrics-workers-');
  port = await freePort();
  metricsPort = await freePort();
  const created = await runIdp(['account', 'create', '--email', email, '--password', password], { IDP_DATA_DIR: dataDir });
  expect(created.code, created.stderr).toBe(0);
  idp = spawn(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env, IDP_WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', IDP_DATA_DIR: dataDir, IDP_LOG_LEVEL: 'warn', NODE_ENV: 'development',
      IDP_METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  idp.stderr!.on('data', (d) => (stderr += d));
  // The primary listens for metrics before it forks the workers; they are up once /healthz answers.
  const end = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > end || idp.exitCode !== null) throw new Error(`the IdP did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(() => {
  if (idp && idp.exitCode === null) idp.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('metrics with IDP_WORKERS=2', () => {
  it('sums the requests both workers served, and reads the live sessions once', async () => {
    const before = await scraped('idp_http_requests_total', { route: 'oidc:discovery' });
    const requests = 40;
    for (let i = 0; i < requests; i++) {
      const res = await newSession().request('GET', '/.well-known/openid-configuration');
      expect(res.status).toBe(200);
    }
    expect(await scraped('idp_http_requests_total', { route: 'oidc:discovery', status: '200' }) - before).toBe(requests);
    // Runtime metrics come from both workers too (summed): two processes' worth of heap.
    expect(await scraped('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    const session = newSession();
    const loginPage = await follow(session, await session.request('GET', '/my/login'));
    const form = findForm(loginPage.body, '/login');
    const account = await follow(session, await session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, email, password }, headers: { origin: session.target.origin } }));
    expect(account.status).toBe(200);
    expect(await scraped('idp_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(await scraped('idp_sessions_live')).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
  }, 60_000);
});
