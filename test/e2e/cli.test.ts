/**
 * The operator command against a running IdP: an account it creates signs in at once, `keys rotate`
 * is picked up without a restart (new kid signs, old kid still published), and bad input exits non-zero
 * with a message for people (`session end` itself: test/e2e/support-session-end.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { runIdp } from '../helpers/cli.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient } from '../helpers/clients.ts';

const idp = useTestIdp();
let env: Record<string, string>;

beforeAll(async () => {
  env = { IDP_DATA_DIR: idp.dataDir };
});

async function signInAndGetIdToken(email: string, password: string): Promise<string> {
  const client = await seedClient(idp);
  const config = await discoverClient(idp, client);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri, scope: 'openid email', state: 's', prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const browser = new TestBrowser();
  const stop = (u: URL) => u.origin === 'http://127.0.0.1:9';
  const login = await browser.follow(url, { stopAt: stop });
  let page = await browser.submit(login, '/login', { email, password }, { stopAt: stop });
  if (page.status === 200) page = await browser.submit(page, '/confirm', {}, { stopAt: stop });
  expect(page.location, page.body.slice(0, 500)).toContain('code=');
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 's' });
  return tokens.id_token!;
}

describe('idp command', () => {
  it('creates an account that signs in right away, and prints JSON', async () => {
    const res = await runIdp(['account', 'create', '--email', 'Grace@Example.com', '--password', 'a long enough passphrase', '--name', 'Grace Hopper'], env);
    expect(res.code, res.stderr).toBe(0);
    const account = res.json<{ id: string; email: string; name: string }>();
    expect(account).toMatchObject({ email: 'grace@example.com', name: 'Grace Hopper', emailVerified: true });
    expect(account.id).toMatch(/^acc_/);
    const idToken = await signInAndGetIdToken('grace@example.com', 'a long enough passphrase');
    expect(JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).sub).toBe(account.id);
  });

  it('refuses a duplicate email, a short password, a bad email and a missing option, with exit codes', async () => {
    // An account of its own first, so this test does not lean on the one before (when that one timed out, the duplicate was created).
    expect((await runIdp(['account', 'create', '--email', 'ada@example.com', '--password', 'a long enough passphrase'], env)).code).toBe(0);
    const dup = await runIdp(['account', 'create', '--email', 'Ada@example.com', '--password', 'another passphrase'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const short = await runIdp(['account', 'create', '--email', 'x@example.com', '--password', 'short'], env);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');
    const bad = await runIdp(['account', 'create', '--email', 'not-an-email', '--password', 'long enough pass'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a valid email');
    const missing = await runIdp(['account', 'create', '--email', 'y@example.com'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--password is required');
    const unknown = await runIdp(['account', 'create', '--email', 'y@example.com', '--password', 'long enough pass', '--nope'], env);
    expect(unknown.code).toBe(2);
    // Support's session end: the reason is required and checked, the account must exist.
    for (const [args, code, message] of [
      [['session', 'end', '--account', 'grace@example.com'], 2, '--reason is required'],
      [['session', 'end', '--account', 'grace@example.com', '--reason', 'x'], 2, '--reason: say why support does this'],
      [['session', 'end', '--account', 'grace@example.com', '--reason', 'two\nlines'], 2, '--reason: use one line'],
      [['session', 'end', '--account', 'not-an-email', '--reason', 'ticket 12'], 2, 'not a valid email'],
      [['session', 'end', '--account', 'nobody@example.com', '--reason', 'ticket 12'], 1, 'No account has the email nobody@example.com.'],
    ] as const) {
      const refused = await runIdp([...args], env);
      expect({ args, code: refused.code }).toEqual({ args, code });
      expect(refused.stderr).toContain(message);
      expect(refused.stdout).toBe('');
    }
    const nothing = await runIdp(['frobnicate'], env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('unknown command');
  });

  it('prints help for every command', async () => {
    const top = await runIdp(['--help'], env);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('account create');
    expect(top.stdout).toContain('session end');
    const sub = await runIdp(['account', 'create', '--help'], env);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--email');
    const end = await runIdp(['session', 'end', '--help'], env);
    expect(end.code).toBe(0);
    expect(end.stdout).toContain('Usage: idp session end --account EMAIL --reason TEXT');
    expect(end.stdout).toMatch(/--reason .*\(required\)/);
  });

  it('rotates signing keys in a running IdP without a restart', async () => {
    const before = await (await fetch(`${idp.issuer}/jwks`)).json() as { keys: { kid: string; alg: string }[] };
    const oldEs = before.keys.find((k) => k.alg === 'ES256')!.kid;
    const res = await runIdp(['keys', 'rotate'], env);
    expect(res.code, res.stderr).toBe(0);
    const { rotated } = res.json<{ rotated: { alg: string; kid: string; retired: string[] }[] }>();
    const newEs = rotated.find((r) => r.alg === 'ES256')!;
    expect(newEs.retired).toContain(oldEs);
    await new Promise((r) => setTimeout(r, 1100)); // processes re-read keys at most once a second
    const after = await (await fetch(`${idp.issuer}/jwks`)).json() as { keys: { kid: string }[] };
    const kids = after.keys.map((k) => k.kid);
    expect(kids).toContain(newEs.kid);
    expect(kids).toContain(oldEs);
    const idToken = await signInAndGetIdToken('grace@example.com', 'a long enough passphrase');
    expect(JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()).kid).toBe(newEs.kid);
  });
});
