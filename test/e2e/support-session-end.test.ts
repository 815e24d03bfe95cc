/**
 * `idp session end --account EMAIL --reason TEXT` against a running IdP (ASVS 7.4.5): every signed-in
 * browser of the account is refused right after the command, with no restart; its refresh tokens die,
 * a database is told by back-channel logout, and the person sees it in the security activity with the
 * reason and gets a mail. On SQLite, and on PostgreSQL with sessions in Redis in the `postgres` project.
 * Other accounts stay signed in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { runIdpCli } from '../helpers/databases.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { portalSignIn, signInToRp } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
const password = 'correct horse battery staple';
const atRedirect = (u: URL) => u.origin === 'http://127.0.0.1:9';
let client: SeededClient;
let config: oidc.Configuration;
let rp: LogoutReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  rp = await startLogoutReceiver(idp.issuer, () => client.clientId);
  client = await seedClient(idp, { backchannel_logout_uri: rp.url, backchannel_logout_session_required: true });
  config = await discoverClient(idp, client);
  // The command signs the logout tokens for the running IdP's issuer (IDP_ISSUER in production).
  env = { IDP_DATA_DIR: idp.dataDir, IDP_ISSUER: idp.issuer };
});
afterAll(async () => rp?.close());


/** Mails the `idp` command wrote (no SMTP in tests: .eml files in the outbox) to `to`. */
function outboxTo(to: string): string[] {
  const dir = path.join(idp.dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).filter((m) => m.includes(`To: ${to}`))
    .map((m) => m.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
}

describe('idp session end', () => {
  it('signs an account out of every device at once: portal refused, tokens dead, database told, activity and mail', async () => {
    const email = 'stolen-laptop@example.com';
    const { id } = await idp.createAccount(email, password);
    const laptop = new TestBrowser();
    await portalSignIn(idp, laptop, email, password);
    const phone = new TestBrowser();
    const tokens = await signInToRp(config, client, phone, email, password);
    const bystander = new TestBrowser();
    await idp.createAccount('bystander@example.com', password);
    await portalSignIn(idp, bystander, 'bystander@example.com', password);
    expect((await laptop.request(`${idp.issuer}/my/account`)).status).toBe(200);
    expect((await phone.request(`${idp.issuer}/my/account`)).status).toBe(200);

    // Without a reason nothing ends.
    const refused = await runIdpCli(['session', 'end', '--account', email], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--reason is required');
    expect((await laptop.request(`${idp.issuer}/my/account`)).status).toBe(200);

    const before = rp.received.length;
    const done = await runIdpCli(['session', 'end', '--account', email, '--reason', 'laptop stolen, reported by phone (ticket 88)'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toEqual({ account: email, ended: 2, notified: 1 });

    // The running IdP sees it at once: both browsers are signed out, the bystander is not.
    for (const browser of [laptop, phone]) {
      const page = await browser.request(`${idp.issuer}/my/account`);
      expect(page.status).toBe(302);
      expect(page.location).toContain('/my/login');
    }
    expect((await bystander.request(`${idp.issuer}/my/account`)).status).toBe(200);
    // Silent single sign-on asks for the sign-in, and the refresh token is dead.
    const silent = await phone.follow(oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri, scope: 'openid', prompt: 'none', state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    }), { stopAt: atRedirect });
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const received = await rp.waitFor(before + 1);
    expect(rp.rejected).toEqual([]);
    expect(received.at(-1)).toMatchObject({ sub: id, sid: tokens.claims()!.sid, iss: idp.issuer, aud: client.clientId });
    expect(await idp.services.security.sessions.countSessions(id)).toBe(0);

    // The person sees who did it and why, and was mailed.
    await portalSignIn(idp, laptop, email, password);
    const activity = await laptop.request(`${idp.issuer}/my/security/activity`);
    expect(activity.body).toContain('Every device was signed out (2). By support. Reason given: laptop stolen, reported by phone (ticket 88)');
    const mails = outboxTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Support made a change to your account');
    expect(mails[0]).toContain('signed you out of every device (2)');
    expect(mails[0]).toContain('Reason given: laptop stolen, reported by phone (ticket 88)');
  });
});
