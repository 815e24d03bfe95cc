/**
 * A relying party nobody here wrote: Python Authlib (Debian's python3-authlib, installed by `.ci/run`)
 * gets, rotates and revokes a refresh token for a database created with `idp database create`, and
 * validates its ID token allowing RS256 only (test/relying-parties/authlib_refresh.py). This test
 * signs the person in on the IdP's pages; everything OAuth is Authlib's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { repoRoot, runIdpCli, TestBrowser } from '../helpers/databases.ts';

vi.setConfig({ testTimeout: 180_000 });

const python = '/usr/bin/python3';
const script = path.join(repoRoot, 'test/relying-parties/authlib_refresh.py');
const person = { email: 'alba@example.com', password: 'authlib passphrase 1' };
const redirectUri = 'http://127.0.0.1:9/callback';
let idp: TestIdp;

beforeAll(async () => {
  if (!fs.existsSync(python)) throw new Error('The Authlib test needs Debian\'s Python: `apt-get install python3-authlib python3-requests`.');
  idp = await startTestIdp();
  await idp.createAccount(person.email, person.password, 'Alba Authlib');
});
afterAll(async () => idp?.close());

/** Signs the person in at `url` in a fresh browser and returns the redirect back to the database. */
async function signIn(url: string): Promise<string> {
  const browser = new TestBrowser();
  const stopAt = (u: URL) => u.origin === 'http://127.0.0.1:9';
  let page = await browser.follow(url, { stopAt });
  if (page.status === 200 && page.body.includes('/login"')) page = await browser.submit(page, '/login', person, { stopAt });
  if (page.status === 200 && page.body.includes('/confirm"')) page = await browser.submit(page, '/confirm', {}, { stopAt });
  expect(page.location, page.body.slice(0, 400)).toContain(`${redirectUri}?code=`);
  return page.location!;
}

describe('Python Authlib as the relying party', () => {
  it('gets, rotates and revokes a refresh token for a CLI-created database, and validates an RS256 ID token', async () => {
    const created = await runIdpCli(['database', 'create', '--owner', person.email, '--name', 'Authlib', '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, '--id-token-alg', 'RS256'], { IDP_DATA_DIR: idp.dataDir });
    expect(created.code, created.stderr).toBe(0);
    const { client_id: clientId, client_secret: clientSecret } = created.json<{ client_id: string; client_secret: string }>();

    const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const line = await lines.next();
      if (line.done) throw new Error(`authlib_refresh.py ended early:\n${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    };
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    try {
      send({ issuer: idp.issuer, client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri });
      for (let round = 0; round < 2; round++) {
        const { authorization_url: url } = await next();
        expect(String(url)).toContain('code_challenge_method=S256');
        send({ callback: await signIn(String(url)) });
      }
      const result = await next();
      expect(result, stderr).toMatchObject({
        id_token_alg: 'RS256', email: person.email, login: person.email, rotated: true,
        spent_refused: 'invalid_grant', newest_after_reuse: 'invalid_grant',
        revocation_status: 200, after_revocation: 'invalid_grant',
      });
      expect(String(result.scope).split(' ')).toContain('offline_access');
    } finally {
      child.kill();
    }
  });
});
