/**
 * Booting: the CLI as a child process (what end-to-end suites and people run), config errors at
 * boot, and an IdP that puts `login`/`role` only in userinfo (the app then asks userinfo).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseApp, type DatabaseApp } from './app.ts';
import { fieldFrom, csrfFrom, TestBrowser } from './test-support/browser.ts';
import { startStandInOp, type StandInOp } from './test-support/stand-in-op.ts';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const tmpDirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-db-boot-'));
  tmpDirs.push(dir);
  return dir;
};

let op: StandInOp;
beforeAll(async () => {
  op = await startStandInOp({ conformIdTokenClaims: true });
  op.accounts.set('acc-carol', { sub: 'acc-carol', email: 'carol@example.com', name: 'Carol', login: 'carol@example.com', role: 'member' });
});
afterAll(async () => {
  await op?.close();
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function runCli(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('CLI', () => {
  it('starts from env and prints the URIs to register', async () => {
    const cli = runCli({ DB_NAME: 'Child', PORT: '0', DB_ISSUER: op.issuer, DB_CLIENT_ID: 'child', DB_CLIENT_SECRET: 's', DB_DATA_DIR: tmp() });
    try {
      await expect.poll(() => cli.output().stdout, { timeout: 20_000 }).toContain('post-logout redirect URI');
      const url = /running at (\S+)/.exec(cli.output().stdout)![1]!;
      expect(cli.output().stdout).toContain(`${url}/callback`);
      expect(cli.output().stdout).toContain(`${url}/backchannel-logout`);
      const login = await fetch(`${url}/login`);
      expect(login.status).toBe(200);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('refuses to start with a clear message when the config is wrong', async () => {
    const cli = runCli({ DB_NAME: 'Bad', PORT: 'eighty', DB_ISSUER: 'ftp://idp', DB_CLIENT_ID: 'x', DB_DATA_DIR: tmp() });
    expect(await cli.exited).toBe(2);
    const { stderr } = cli.output();
    expect(stderr).toContain('PORT (port): must be a number');
    expect(stderr).toContain('DB_ISSUER (issuer): must use http or https');
    expect(stderr).toContain('DB_CLIENT_SECRET (clientSecret): is required');
  });
});

describe('an IdP that keeps login and role in userinfo only', () => {
  let app: DatabaseApp;
  beforeAll(async () => {
    app = await startDatabaseApp(
      { name: 'Userinfo DB', port: 0, issuer: op.issuer, clientId: 'ui-db', clientSecret: 'ui-db-secret', dataDir: tmp() },
      { log: () => {} },
    );
    await op.registerClient({
      clientId: 'ui-db',
      clientSecret: 'ui-db-secret',
      redirectUri: app.redirectUri,
      backchannelLogoutUri: app.backchannelLogoutUri,
      postLogoutRedirectUri: app.postLogoutRedirectUri,
    });
  });
  afterAll(() => app?.close());

  it('signs in using the userinfo claims', async () => {
    const browser = new TestBrowser();
    op.signInAs = 'acc-carol';
    const csrf = csrfFrom(await (await browser.request(`${app.url}/login`)).text());
    const { response } = await browser.follow(`${app.url}/login/sso`, { form: { csrf } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(fieldFrom(html, 'login')).toBe('carol@example.com');
    expect(fieldFrom(html, 'role')).toBe('member');
  });
});
