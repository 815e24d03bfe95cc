/**
 * Helpers for the graceful-shutdown suites (issue 19): `idp serve` as a child process with its exit
 * code, a steady load of client loops that records every failure, and a sign-in-page client.
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { findForm } from './browser.ts';
import { repoRoot, startProcess } from './databases.ts';
import type { HttpResponse, HttpSession } from './http-session.ts';

export interface ServeProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `idp serve` and waits for its "IdP listening" line. */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const started = await startProcess(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], { NODE_ENV: 'development', IDP_LOG_LEVEL: 'info', ...env }, /IdP listening/);
  const { child } = started;
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return { child, output: started.output, exited, kill: (signal) => child.kill(signal) };
}

export interface Load {
  /** Requests that got the answer they expected. */
  ok(): number;
  /** One line per failed request. */
  failures: string[];
  /** Stops the loops and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * `clients` loops, each calling `step(client)` again and again until stopped; a step that throws is a
 * failure (recorded with its message), one that returns counts as `ok`.
 */
export function steadyLoad(clients: number, step: (client: number) => Promise<number>): Load {
  let stopped = false;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: clients }, async (_, n) => {
    while (!stopped) {
      try {
        // Awaited first: `ok += await …` reads `ok` before the await, so concurrent loops lost each other's counts.
        const done = await step(n);
        ok += done;
      } catch (error) {
        failures.push(`client ${n}: ${(error as Error).message ?? String(error)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  return {
    ok: () => ok,
    failures,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export function expectStatus(res: HttpResponse, expected: number, what: string): HttpResponse {
  if (res.status !== expected) throw new Error(`${what}: ${res.status} instead of ${expected}: ${res.body.slice(0, 200)}`);
  return res;
}

/** Follows redirects as a browser would (at most 10). */
export async function follow(session: HttpSession, res: HttpResponse): Promise<HttpResponse> {
  for (let hops = 0; res.location && res.status >= 300 && res.status < 400 && hops < 10; hops++) res = await session.request('GET', res.location);
  return res;
}

/** Opens the portal's sign-in page in `session` and returns its URL (an interaction page), to be fetched again and again. */
export async function signInPage(session: HttpSession): Promise<string> {
  let res = await session.request('GET', '/my/login');
  let url = '/my/login';
  for (let hops = 0; res.location && res.status >= 300 && res.status < 400 && hops < 10; hops++) {
    url = res.location;
    res = await session.request('GET', url);
  }
  expectStatus(res, 200, 'the sign-in page');
  findForm(res.body, '/login');
  return url;
}

/** Signs in through the portal's sign-in page and checks the account page answers; two to six requests. */
export async function signInOnce(session: HttpSession, email: string, password: string): Promise<number> {
  session.cookies.clear();
  const page = expectStatus(await follow(session, await session.request('GET', '/my/login')), 200, 'the sign-in page');
  const form = findForm(page.body, '/login');
  const submitted = await session.request('POST', form.action.replace(/&amp;/g, '&'), { form: { ...form.hidden, email, password }, headers: { origin: session.target.origin } });
  const account = expectStatus(await follow(session, submitted), 200, 'the account page after signing in');
  if (!account.body.includes(email)) throw new Error('the account page does not show the account');
  return 1;
}
