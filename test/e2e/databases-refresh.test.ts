/**
 * Refresh tokens for databases (issue 17), with openid-client against databases created the ways an
 * owner creates them (the `idp` command, RFC 7591 registration): offline_access with prompt=consent
 * yields a refresh token, it rotates, a reused one revokes the grant, revocation ends it, DPoP binds
 * the access tokens, a database may choose a shorter lifetime, and everything that revokes grants
 * (log out from all devices, removal from the database, a password reset) ends it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as oidc from 'openid-client';
import { linkFrom, startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { runIdpCli, signInToPortal, TestBrowser } from '../helpers/databases.ts';
import { authorize, discover, exchange } from '../helpers/oidc-sign-in.ts';

let idp: TestIdp;
const owner = { email: 'rita@example.com', password: 'refresh passphrase 1' };
const member = { email: 'max@example.com', password: 'member passphrase 2' };
const redirectUri = 'http://127.0.0.1:9/callback';
let database: { name: string; client_id: string; client_secret: string };
let config: oidc.Configuration;

async function createDatabase(name: string, extra: string[] = []) {
  const created = await runIdpCli(['database', 'create', '--owner', owner.email, '--name', name, '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, ...extra], { IDP_DATA_DIR: idp.dataDir });
  expect(created.code, created.stderr).toBe(0);
  return created.json<{ name: string; client_id: string; client_secret: string }>();
}

async function signIn(who = owner, cfg = config, params: Record<string, string> = { prompt: 'consent' }, dpop?: oidc.DPoPHandle) {
  const authorization = await authorize(new TestBrowser(), cfg, { redirectUri, scope: 'openid email profile offline_access', params, credentials: who });
  return exchange(cfg, authorization, undefined, dpop);
}

// Each `idp` command is a process of its own; on a busy machine several of them take a while.
vi.setConfig({ testTimeout: 180_000 });

beforeAll(async () => {
  idp = await startTestIdp();
  await idp.createAccount(owner.email, owner.password, 'Rita Refresh');
  await idp.createAccount(member.email, member.password, 'Max Member');
  database = await createDatabase('Refresh');
  config = await discover(idp.issuer, database.client_id, database.client_secret);
});
afterAll(async () => idp?.close());

describe('refresh tokens for a database created with the idp command', () => {
  it('grants offline_access with prompt=consent, rotates, detects reuse and revokes', async () => {
    const tokens = await signIn();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).toContain('offline_access');
    expect(tokens.claims()).toMatchObject({ email: owner.email, login: owner.email, role: 'owner' });

    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect((await oidc.fetchUserInfo(config, rotated.access_token, tokens.claims()!.sub)).email).toBe(owner.email);
    const again = await oidc.refreshTokenGrant(config, rotated.refresh_token!);

    // Reuse of a spent refresh token (a sign of theft) revokes the grant: the newest one dies too.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, again.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, again.access_token)).active).toBe(false);

    // Revocation (RFC 7009) of a refresh token ends it.
    const second = await signIn();
    await oidc.tokenRevocation(config, second.refresh_token!, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives no refresh token without prompt=consent or without offline_access', async () => {
    const silent = await signIn(owner, config, {});
    expect(silent.refresh_token).toBeUndefined();
    expect(silent.scope?.split(' ') ?? []).not.toContain('offline_access');
    const authorization = await authorize(new TestBrowser(), config, { redirectUri, scope: 'openid email', params: { prompt: 'consent' }, credentials: owner });
    expect((await exchange(config, authorization)).refresh_token).toBeUndefined();
  });

  it('binds the access tokens of a database that uses DPoP, at the code exchange and at every refresh', async () => {
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await signIn(owner, config, { prompt: 'consent' }, dpop);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP' });
    expect((introspected.cnf as { jkt?: string } | undefined)?.jkt).toEqual(expect.any(String));
    // Sent as a bearer token, a DPoP-bound access token is refused.
    const asBearer = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(asBearer.status).toBe(401);
    // The refresh token belongs to this database: another client cannot use it.
    const other = await createDatabase('Refresh Other');
    const otherConfig = await discover(idp.issuer, other.client_id, other.client_secret);
    await expect(oidc.refreshTokenGrant(otherConfig, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('lets a database choose a shorter refresh token lifetime, validated', async () => {
    const short = await createDatabase('Refresh Short', ['--refresh-token-ttl', '600']);
    expect(short).toMatchObject({ refresh_token_ttl: 600 });
    const shortConfig = await discover(idp.issuer, short.client_id, short.client_secret);
    const tokens = await signIn(owner, shortConfig);
    const introspected = await oidc.tokenIntrospection(shortConfig, tokens.refresh_token!);
    expect(introspected.active).toBe(true);
    expect(introspected.exp! - introspected.iat!).toBe(600);
    const rotated = await oidc.refreshTokenGrant(shortConfig, tokens.refresh_token!);
    const after = await oidc.tokenIntrospection(shortConfig, rotated.refresh_token!);
    expect(after.exp! - after.iat!).toBe(600);
    // The default is 14 days.
    const long = await oidc.tokenIntrospection(config, (await signIn()).refresh_token!);
    expect(long.exp! - long.iat!).toBe(14 * 24 * 3600);

    for (const bad of ['5', '2000000', 'soon', '1.5']) {
      const refused = await runIdpCli(['database', 'create', '--owner', owner.email, '--name', `Bad ttl ${bad.replace('.', '')}`, '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, '--refresh-token-ttl', bad], { IDP_DATA_DIR: idp.dataDir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('The refresh token lifetime must be a whole number of seconds from 300 (5 minutes) to 1209600 (14 days).');
    }
  });

  it('registers a database (RFC 7591) that refreshes, and refuses a bad refresh_token_ttl', async () => {
    const register = async (body: Record<string, unknown>) => {
      const issued = await runIdpCli(['registration-token', 'create', '--owner', owner.email], { IDP_DATA_DIR: idp.dataDir });
      const { initial_access_token: token } = issued.json<{ initial_access_token: string }>();
      return fetch(`${idp.issuer}/reg`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    };
    const bad = await register({ client_name: 'Registered Bad', client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri], refresh_token_ttl: 30 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('refresh_token_ttl: The refresh token lifetime must be') });
    const ok = await register({ client_name: 'Registered', client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri], refresh_token_ttl: 3600 });
    expect(ok.status).toBe(201);
    const client = await ok.json() as { client_id: string; client_secret: string; grant_types: string[]; refresh_token_ttl: number };
    expect(client.grant_types).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    expect(client.refresh_token_ttl).toBe(3600);
    const registered = await discover(idp.issuer, client.client_id, client.client_secret);
    const tokens = await signIn(owner, registered);
    const rotated = await oidc.refreshTokenGrant(registered, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
  });
});

describe('what revokes grants ends refresh tokens', () => {
  it('logging out from all devices ends the refresh tokens of the other devices', async () => {
    const tokens = await signIn();
    const portal = new TestBrowser();
    await signInToPortal(portal, idp.issuer, owner.email, owner.password);
    const security = await portal.request(`${idp.issuer}/my/security`);
    const done = await portal.submit(security, '/devices/logout-others', {});
    expect(done.status).toBe(200);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('removing a member from the database ends its refresh tokens', async () => {
    const invited = await runIdpCli(['database', 'invite', '--database', database.name, '--email', member.email], { IDP_DATA_DIR: idp.dataDir });
    expect(invited.code, invited.stderr).toBe(0);
    const membershipId = invited.json<{ id: string }>().id;
    const account = (await idp.services.accounts.findByEmail(member.email))!;
    await idp.services.databases.acceptInvitation(membershipId, account);
    const tokens = await signIn(member);
    expect(tokens.claims()).toMatchObject({ role: 'member' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const db = (await idp.services.databases.findByName(database.name))!;
    await idp.services.databases.removeMember(db.id, membershipId, { kind: 'operator' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  // Last: it changes the owner's password.
  it('a password reset ends every refresh token of the account', async () => {
    const tokens = await signIn();
    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/password/forgot`);
    await browser.submit(form, '/password/forgot', { email: owner.email });
    const reset = await browser.request(linkFrom(idp.lastMailTo(owner.email), '/password/reset'));
    const done = await browser.submit(reset, '/password/reset', { password: 'a brand new passphrase 2' });
    expect(done.body).toContain('Password changed');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
