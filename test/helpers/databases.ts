/**
 * Helpers for the database suites: free ports (a reference database must know its URL before its
 * client is registered), the `idp` command as a child process, and the sign-in journeys a person
 * makes between a database and the IdP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { expect } from 'vitest';
import { TestBrowser, type PageResponse } from './browser.ts';
import { repoRoot, runIdp, type CliResult } from './cli.ts';

export { repoRoot, type CliResult };

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `idp <args>` on the store in `dataDir`, as an operator would (quietly: only its own output). */
export function runIdpCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runIdp(args, { IDP_LOG_LEVEL: 'silent', ...env });
}

/** Starts a long-running child process and waits until `ready` matches its output. */
export async function startProcess(command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: () => string; stop(): Promise<void> }> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.removeAllListeners('exit');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The value of `<dd data-field="name">` on a reference database page. */
export function field(page: PageResponse, name: string): string | undefined {
  return page.body.match(new RegExp(`data-field="${name}"[^>]*>([^<]*)<`))?.[1];
}

/**
 * "Sign in with your account" on a database: starts SSO there, signs in on the IdP's page (when the
 * IdP has no session yet) and follows the redirects back. Returns the last page (the database's home
 * on success, the IdP's page when it stopped there).
 */
export async function signInToDatabase(browser: TestBrowser, databaseUrl: string, credentials?: { email: string; password: string }): Promise<PageResponse> {
  const login = await browser.request(`${databaseUrl}/login`);
  expect(login.status).toBe(200);
  const atIdp = await browser.submit(login, '/login/sso', {});
  if (!credentials || !atIdp.body.includes('/interaction/')) return atIdp;
  return browser.submit(atIdp, '/login', credentials);
}

/** Signs in to the IdP's portal (the account pages). */
export async function signInToPortal(browser: TestBrowser, issuer: string, email: string, password: string): Promise<PageResponse> {
  const page = await browser.follow(`${issuer}/my/login`);
  expect(page.body).toContain('Sign in');
  const done = await browser.submit(page, '/login', { email, password });
  expect(done.status, done.body.slice(0, 500)).toBe(200);
  return done;
}

export { TestBrowser };
