/**
 * The IdP and the reference database as separate processes, set up only with the `idp` command, the
 * way an operator would: create an account, register a database for it, start the database with the
 * printed credentials, and sign in to it by single sign-on. Bad operator input gets a clear message
 * and a non-zero exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/idp.ts';
import { field, freePort, repoRoot, runIdpCli, signInToDatabase, startProcess, TestBrowser } from '../helpers/databases.ts';

const owner = { email: 'owner@example.com', password: 'correct horse battery 1' };
let idpDir: string;
let dbDir: string;
let env: Record<string, string>;
let issuer: string;
let databaseUrl: string;
let stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  idpDir = tempDir('latchkey-idp-');
  dbDir = tempDir('latchkey-db-');
  const idpPort = await freePort();
  issuer = `http://localhost:${idpPort}`;
  env = { PORT: String(idpPort), HOST: '127.0.0.1', IDP_DATA_DIR: idpDir, NODE_ENV: 'development' };
  const idp = await startProcess(process.execPath, [path.join(repoRoot, 'idp/bin/idp.js'), 'serve'], { ...env, IDP_LOG_LEVEL: 'info' }, /IdP listening on/);
  stops.push(idp.stop);

  expect((await runIdpCli(['account', 'create', '--email', owner.email, '--password', owner.password, '--name', 'Olivia Owner'], env)).code).toBe(0);
  const dbPort = await freePort();
  databaseUrl = `http://localhost:${dbPort}`;
  const created = await runIdpCli([
    'database', 'create', '--owner', owner.email, '--name', 'Acme', '--url', databaseUrl,
    '--redirect-uri', `${databaseUrl}/callback`, '--backchannel-logout-uri', `${databaseUrl}/backchannel-logout`,
    '--post-logout-redirect-uri', `${databaseUrl}/`,
  ], env);
  expect(created.code, created.stderr).toBe(0);
  const credentials = created.json<{ client_id: string; client_secret: string; login: string }>();
  expect(credentials.client_id).toMatch(/^db_/);
  expect(credentials.client_secret.length).toBeGreaterThan(30);
  expect(credentials.login).toBe(owner.email);

  const db = await startProcess(process.execPath, ['--import', 'tsx', 'test/reference-database/src/main.ts'], {
    DB_NAME: 'Acme', PORT: String(dbPort), DB_HOST: '127.0.0.1', DB_ISSUER: issuer,
    DB_CLIENT_ID: credentials.client_id, DB_CLIENT_SECRET: credentials.client_secret, DB_DATA_DIR: dbDir,
  }, /IdP discovered|not reachable/);
  stops.push(db.stop);
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  stops = [];
  for (const dir of [idpDir, dbDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('IdP and reference database as separate processes', () => {
  it('signs the owner in to the database by single sign-on, with the login and role of the membership', async () => {
    const browser = new TestBrowser();
    const home = await signInToDatabase(browser, databaseUrl, owner);
    expect(home.status, home.body.slice(0, 800)).toBe(200);
    expect(home.url).toBe(`${databaseUrl}/`);
    expect(field(home, 'login')).toBe(owner.email);
    expect(field(home, 'role')).toBe('owner');
    expect(field(home, 'signed-in-with')).toMatch(/account|sso|single/i);
  });

  it('lists databases with owner and members', async () => {
    const list = await runIdpCli(['database', 'list'], env);
    expect(list.code).toBe(0);
    const { databases } = list.json<{ databases: { name: string; owner: string; members: { login: string; role: string }[] }[] }>();
    expect(databases).toEqual([expect.objectContaining({ name: 'Acme', owner: owner.email, members: [expect.objectContaining({ login: owner.email, role: 'owner' })] })]);
  });

  it('invites by email from the command line', async () => {
    const invited = await runIdpCli(['database', 'invite', '--database', 'acme', '--email', 'Guest@Example.com'], env);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.json()).toMatchObject({ database: 'Acme', login: 'guest@example.com', status: 'invited', role: 'member' });
    const outbox = fs.readdirSync(path.join(idpDir, 'outbox')).map((f) => fs.readFileSync(path.join(idpDir, 'outbox', f), 'utf8'));
    expect(outbox.some((m) => m.includes('You are invited to Acme') && m.includes('/my/invitations?token='))).toBe(true);
  });

  it('answers bad operator input with a clear message and a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['database', 'create', '--owner', owner.email, '--name', 'X'], 2, /--url is required/],
      [['database', 'create', '--owner', owner.email, '--name', 'Beta', '--url', 'ftp://beta', '--redirect-uri', 'https://beta.example/cb'], 2, /http:\/\/ or https:\/\//],
      [['database', 'create', '--owner', owner.email, '--name', 'Beta', '--url', 'https://beta.example/app', '--redirect-uri', 'https://beta.example/cb'], 2, /without a path/],
      [['database', 'create', '--owner', owner.email, '--name', '!!', '--url', 'https://beta.example', '--redirect-uri', 'https://beta.example/cb'], 2, /letters, digits/],
      [['database', 'create', '--owner', 'nobody@example.com', '--name', 'Beta', '--url', 'https://beta.example', '--redirect-uri', 'https://beta.example/cb'], 1, /No account has the email/],
      [['database', 'create', '--owner', owner.email, '--name', 'ACME', '--url', 'https://beta.example', '--redirect-uri', 'https://beta.example/cb'], 1, /already exists/],
      [['database', 'create', '--owner', owner.email, '--name', 'Beta', '--url', 'https://beta.example', '--redirect-uri', 'https://beta.example/cb', '--auth-method', 'private_key_jwt'], 2, /JWKS URI/],
      [['database', 'create', '--owner', owner.email, '--name', 'Beta', '--url', 'https://beta.example', '--redirect-uri', 'https://beta.example/cb', '--bogus', 'x'], 2, /Unknown option/i],
      [['database', 'invite', '--database', 'Nope', '--email', 'a@example.com'], 1, /No database is named "Nope"/],
      [['database', 'invite', '--database', 'Acme', '--email', 'not-an-email'], 2, /not a valid email/],
      [['database', 'invite', '--database', 'Acme', '--email', owner.email], 1, /already a member/],
      [['membership', 'set-login', '--database', 'Acme', '--account', owner.email, '--login', 'nope', '--reason', 'ticket 1'], 2, /not a valid email/],
      [['membership', 'set-login', '--database', 'Acme', '--account', 'stranger@example.com', '--login', 'a@example.com', '--reason', 'ticket 2'], 1, /is a member of Acme/],
      [['membership', 'set-login', '--database', 'Acme', '--account', owner.email, '--login', 'a@example.com'], 2, /--reason is required/],
      [['registration-token', 'create', '--owner', 'nobody@example.com'], 1, /No account has the email/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runIdpCli(args, env);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    for (const name of ['database create', 'database invite', 'database list', 'membership set-login', 'registration-token create']) {
      const help = await runIdpCli([...name.split(' '), '--help'], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: idp ${name}`);
    }
    // Nineteen separate `idp` processes, each starting Node and the TypeScript loader: on two busy cores
    // that alone approaches the default 60 s.
  }, 180_000);
});
