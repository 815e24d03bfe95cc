/**
 * What a database chooses about its client (issue 17), end to end with openid-client: the algorithm of
 * its ID tokens (ES256 by default, RS256 for relying parties that verify nothing else, EdDSA), the way
 * it authenticates at the token endpoint (client_secret_basic, client_secret_post, client_secret_jwt,
 * private_key_jwt), set by `idp database create|update` and by registration, each validated with a
 * clear message; `idp keys rotate` rotates the RSA key too and keeps the old one published.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { runIdpCli, signInToPortal, TestBrowser } from '../helpers/databases.ts';
import { findForm } from '../helpers/browser.ts';
import { authorize, discover, exchange, jwtHeader } from '../helpers/oidc-sign-in.ts';

let idp: TestIdp;
let env: Record<string, string>;
const owner = { email: 'sam@example.com', password: 'settings passphrase 1' };
const redirectUri = 'http://127.0.0.1:9/callback';

async function cli(args: string[]) {
  return runIdpCli(args, env);
}

async function createDatabase(name: string, extra: string[] = []) {
  const created = await cli(['database', 'create', '--owner', owner.email, '--name', name, '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, ...extra]);
  expect(created.code, created.stderr).toBe(0);
  return created.json<{ name: string; client_id: string; client_secret?: string; id_token_signed_response_alg: string; token_endpoint_auth_method: string }>();
}

async function idTokenFor(config: oidc.Configuration, redirect = redirectUri) {
  const authorization = await authorize(new TestBrowser(), config, { redirectUri: redirect, credentials: owner });
  return (await exchange(config, authorization)).id_token!;
}

/** A relying party that knows RS256 and nothing else: jose with only RS256 allowed. */
async function verifyRs256Only(idToken: string, audience: string) {
  const jwks = jose.createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  return jose.jwtVerify(idToken, jwks, { algorithms: ['RS256'], issuer: idp.issuer, audience });
}

// Each `idp` command is a process of its own; on a busy machine several of them take a while.
vi.setConfig({ testTimeout: 180_000 });

beforeAll(async () => {
  idp = await startTestIdp();
  env = { IDP_DATA_DIR: idp.dataDir };
  await idp.createAccount(owner.email, owner.password, 'Sam Settings');
});
afterAll(async () => idp?.close());

describe('ID token signing algorithm per database', () => {
  it('publishes an RSA key beside the EC and OKP keys and lists RS256 in discovery', async () => {
    const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256', 'EdDSA']));
    const { keys } = await (await fetch(`${idp.issuer}/jwks`)).json() as { keys: { kty: string; alg: string; d?: string; n?: string }[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    const rsa = keys.find((k) => k.alg === 'RS256')!;
    expect(rsa.kty).toBe('RSA');
    expect(Buffer.from(rsa.n!, 'base64url').length).toBe(256);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('signs with ES256 by default, with RS256 for a database that chose it (an RS256-only client validates it), and follows an update', async () => {
    const plain = await createDatabase('Signing Default');
    expect(plain.id_token_signed_response_alg).toBe('ES256');
    const plainToken = await idTokenFor(await discover(idp.issuer, plain.client_id, plain.client_secret));
    expect(jwtHeader(plainToken).alg).toBe('ES256');
    await expect(verifyRs256Only(plainToken, plain.client_id)).rejects.toThrow();

    const rsa = await createDatabase('Signing RSA', ['--id-token-alg', 'RS256']);
    expect(rsa.id_token_signed_response_alg).toBe('RS256');
    const rsaConfig = await discover(idp.issuer, rsa.client_id, { client_secret: rsa.client_secret, id_token_signed_response_alg: 'RS256' });
    const rsaToken = await idTokenFor(rsaConfig);
    const { payload, protectedHeader } = await verifyRs256Only(rsaToken, rsa.client_id);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.email).toBe(owner.email);

    const updated = await cli(['database', 'update', '--database', 'Signing RSA', '--id-token-alg', 'EdDSA']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toMatchObject({ id_token_signed_response_alg: 'EdDSA', client_id: rsa.client_id });
    const edConfig = await discover(idp.issuer, rsa.client_id, { client_secret: rsa.client_secret, id_token_signed_response_alg: 'EdDSA' });
    expect(jwtHeader(await idTokenFor(edConfig)).alg).toBe('EdDSA');
  });

  it('refuses an algorithm it does not offer, on create, update and registration', async () => {
    const message = 'The ID token signing algorithm must be ES256 (the default), RS256 or EdDSA.';
    const created = await cli(['database', 'create', '--owner', owner.email, '--name', 'Signing Bad', '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, '--id-token-alg', 'HS256']);
    expect(created.code).toBe(2);
    expect(created.stderr).toContain(message);
    const updated = await cli(['database', 'update', '--database', 'Signing Default', '--id-token-alg', 'none']);
    expect(updated.code).toBe(2);
    expect(updated.stderr).toContain(message);
    const registered = await register({ client_name: 'Signing Reg', client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri], id_token_signed_response_alg: 'PS384' });
    expect(registered.status).toBe(400);
    expect(await registered.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: `id_token_signed_response_alg: ${message}` });
  });

  it('rotates the RSA key with `idp keys rotate`: the new kid signs, the old one stays published', async () => {
    const rsa = await createDatabase('Signing Rotate', ['--id-token-alg', 'RS256']);
    const before = await (await fetch(`${idp.issuer}/jwks`)).json() as { keys: { kid: string; alg: string }[] };
    const oldKid = before.keys.find((k) => k.alg === 'RS256')!.kid;
    const rotated = await cli(['keys', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newRsa = rotated.json<{ rotated: { alg: string; kid: string; retired: string[] }[] }>().rotated.find((r) => r.alg === 'RS256')!;
    expect(newRsa.retired).toEqual([oldKid]);
    await new Promise((r) => setTimeout(r, 1100)); // processes re-read keys at most once a second
    const after = await (await fetch(`${idp.issuer}/jwks`)).json() as { keys: { kid: string }[] };
    expect(after.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newRsa.kid]));
    const token = await idTokenFor(await discover(idp.issuer, rsa.client_id, { client_secret: rsa.client_secret, id_token_signed_response_alg: 'RS256' }));
    expect(jwtHeader(token).kid).toBe(newRsa.kid);
    await verifyRs256Only(token, rsa.client_id);
  });
});

async function register(body: Record<string, unknown>) {
  const issued = await cli(['registration-token', 'create', '--owner', owner.email]);
  const { initial_access_token: token } = issued.json<{ initial_access_token: string }>();
  return fetch(`${idp.issuer}/reg`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('token endpoint authentication per database', () => {
  it('client_secret_jwt: created with --auth-method, the IdP verifies an HS256 assertion; a wrong secret is refused', async () => {
    const db = await createDatabase('Auth JWT', ['--auth-method', 'client_secret_jwt']);
    expect(db).toMatchObject({ token_endpoint_auth_method: 'client_secret_jwt', client_secret: expect.any(String) });
    const config = await discover(idp.issuer, db.client_id, { token_endpoint_auth_method: 'client_secret_jwt' }, oidc.ClientSecretJwt(db.client_secret!));
    const tokens = await exchange(config, await authorize(new TestBrowser(), config, { redirectUri, credentials: owner }));
    expect(tokens.access_token).toBeTruthy();
    const cc = await oidc.clientCredentialsGrant(config, { resource: `${idp.issuer}/database-api`, scope: 'members:read' });
    expect(cc.access_token).toBeTruthy();
    const wrong = await discover(idp.issuer, db.client_id, { token_endpoint_auth_method: 'client_secret_jwt' }, oidc.ClientSecretJwt('not the secret at all, but long enough'));
    await expect(oidc.clientCredentialsGrant(wrong, { resource: `${idp.issuer}/database-api`, scope: 'members:read' })).rejects.toMatchObject({ error: 'invalid_client' });
    // The method is the database's: a basic-authenticated request is refused.
    const basic = await discover(idp.issuer, db.client_id, db.client_secret);
    await expect(oidc.clientCredentialsGrant(basic, { resource: `${idp.issuer}/database-api`, scope: 'members:read' })).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('client_secret_jwt and client_secret_post by registration (RFC 7591)', async () => {
    for (const method of ['client_secret_jwt', 'client_secret_post'] as const) {
      const res = await register({ client_name: `Auth Reg ${method}`, client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri], token_endpoint_auth_method: method });
      expect(res.status).toBe(201);
      const client = await res.json() as { client_id: string; client_secret: string; token_endpoint_auth_method: string };
      expect(client.token_endpoint_auth_method).toBe(method);
      expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const auth = method === 'client_secret_jwt' ? oidc.ClientSecretJwt(client.client_secret) : oidc.ClientSecretPost(client.client_secret);
      const config = await discover(idp.issuer, client.client_id, { token_endpoint_auth_method: method }, auth);
      expect((await oidc.clientCredentialsGrant(config, { resource: `${idp.issuer}/database-api`, scope: 'members:read' })).access_token).toBeTruthy();
    }
    const refused = await register({ client_name: 'Auth Reg none', client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
    expect(refused.status).toBe(400);
    expect((await refused.json() as { error_description: string }).error_description).toContain('token_endpoint_auth_method: The client authentication must be client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt.');
  });

  it('private_key_jwt with the database\'s own JWKS', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'db-key-1', alg: 'ES256', use: 'sig' };
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
      const db = await createDatabase('Auth PKJ', ['--auth-method', 'private_key_jwt', '--jwks-uri', jwksUri]);
      expect(db.client_secret).toBeUndefined();
      const config = await discover(idp.issuer, db.client_id, { token_endpoint_auth_method: 'private_key_jwt' }, oidc.PrivateKeyJwt({ key: privateKey, kid: 'db-key-1' }));
      expect((await oidc.clientCredentialsGrant(config, { resource: `${idp.issuer}/database-api`, scope: 'members:read' })).access_token).toBeTruthy();
    } finally {
      server.close();
    }
  });

  it('reads a database\'s JWKS only up to 64 KiB: a larger document authenticates nothing', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'db-key-big', alg: 'ES256', use: 'sig' };
    // The same valid key, padded past the bound with a member a JWKS reader ignores.
    const body = JSON.stringify({ keys: [jwk], padding: 'x'.repeat(70 * 1024) });
    const served: string[] = [];
    const server = http.createServer((req, res) => {
      served.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
      const db = await createDatabase('Auth PKJ big', ['--auth-method', 'private_key_jwt', '--jwks-uri', jwksUri]);
      const config = await discover(idp.issuer, db.client_id, { token_endpoint_auth_method: 'private_key_jwt' }, oidc.PrivateKeyJwt({ key: privateKey, kid: 'db-key-big' }));
      const refused = await oidc.clientCredentialsGrant(config, { resource: `${idp.issuer}/database-api`, scope: 'members:read' }).then(() => null, (e: unknown) => e);
      expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
      expect((refused as oidc.ResponseBodyError).error).toBe('invalid_client');
      expect(served.length, 'the IdP did fetch the JWKS').toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('idp database update', () => {
  it('changes redirect, post-logout and back-channel URIs in place, prints JSON, and the new redirect URI works at once', async () => {
    const db = await createDatabase('Update Me');
    const newRedirect = 'http://127.0.0.1:9/new-callback';
    const updated = await cli(['database', 'update', '--database', 'Update Me', '--redirect-uri', newRedirect, '--post-logout-redirect-uri', 'http://127.0.0.1:9/bye',
      '--backchannel-logout-uri', 'http://127.0.0.1:9/backchannel-logout', '--auth-method', 'client_secret_post']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toEqual({
      name: 'Update Me', issuer: expect.any(String), client_id: db.client_id,
      redirect_uris: [newRedirect], post_logout_redirect_uris: ['http://127.0.0.1:9/bye'], backchannel_logout_uri: 'http://127.0.0.1:9/backchannel-logout',
      token_endpoint_auth_method: 'client_secret_post', jwks_uri: null, id_token_signed_response_alg: 'ES256', refresh_token_ttl: null,
    });
    const config = await discover(idp.issuer, db.client_id, { token_endpoint_auth_method: 'client_secret_post' }, oidc.ClientSecretPost(db.client_secret!));
    const token = await idTokenFor(config, newRedirect);
    expect(token).toBeTruthy();
    // The old redirect URI is gone.
    const old = await new TestBrowser().request(oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
    expect(old.status).toBe(400);
    expect(old.body).toContain('invalid_redirect_uri');
    // "" removes the back-channel URI.
    const cleared = await cli(['database', 'update', '--database', 'Update Me', '--backchannel-logout-uri', '']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.json()).toMatchObject({ backchannel_logout_uri: null });
    const audit = await idp.services.db.all<{ event: string }>("SELECT event FROM audit_log WHERE event = 'database.client_updated'");
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it('moves a database from private_key_jwt to a secret and prints the new secret once', async () => {
    const created = await cli(['database', 'create', '--owner', owner.email, '--name', 'Update Keys', '--url', 'http://127.0.0.1:9', '--redirect-uri', redirectUri, '--auth-method', 'private_key_jwt', '--jwks-uri', 'http://127.0.0.1:9/jwks']);
    expect(created.code, created.stderr).toBe(0);
    const moved = await cli(['database', 'update', '--database', 'Update Keys', '--auth-method', 'client_secret_basic']);
    expect(moved.code, moved.stderr).toBe(0);
    const { client_id: clientId, client_secret: secret } = moved.json<{ client_id: string; client_secret: string }>();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const config = await discover(idp.issuer, clientId, secret);
    expect((await oidc.clientCredentialsGrant(config, { resource: `${idp.issuer}/database-api`, scope: 'members:read' })).access_token).toBeTruthy();
  });

  it('exits 2 with a sentence on bad input, 1 for an unknown database', async () => {
    const cases: [string[], string][] = [
      [['--redirect-uri', 'ftp://x.example/cb'], 'The redirect URI must be an http:// or https:// address'],
      [['--redirect-uri', 'https://x.example/cb#frag'], 'The redirect URI must not contain a #fragment.'],
      [['--backchannel-logout-uri', 'not a url'], 'The back-channel logout URI must be an http:// or https:// address'],
      [['--auth-method', 'none'], 'The client authentication must be client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt.'],
      [['--auth-method', 'private_key_jwt'], 'private_key_jwt needs a JWKS URI.'],
      [['--refresh-token-ttl', '10'], 'The refresh token lifetime must be a whole number of seconds'],
      [[], 'Nothing to change: give at least one setting.'],
    ];
    for (const [args, message] of cases) {
      const res = await cli(['database', 'update', '--database', 'Update Me', ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
    }
    const missing = await cli(['database', 'update', '--database', 'Nope', '--id-token-alg', 'RS256']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No database is named "Nope".');
    const noName = await cli(['database', 'update', '--id-token-alg', 'RS256']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--database is required');
  }, 180_000);
});

describe('the Advanced section of the database page', () => {
  it('shows the owner the settings, saves them with the same validation, and never shows or accepts them for a member', async () => {
    const portal = new TestBrowser();
    await signInToPortal(portal, idp.issuer, owner.email, owner.password);
    const list = await portal.request(`${idp.issuer}/my/databases`);
    const created = await portal.submit(list, '/my/databases', { name: 'Portal Advanced', url: 'http://127.0.0.1:9' });
    expect(created.status).toBe(201);
    const id = created.body.match(/href="\/my\/databases\/(dbs_[^"]+)"/)![1]!;
    // A database made in the portal refreshes too (offline_access with prompt=consent).
    const clientId = created.body.match(/id="client-id">([^<]+)</)![1]!;
    const clientSecret = created.body.match(/id="client-secret">([^<]+)</)![1]!;
    const portalConfig = await discover(idp.issuer, clientId, clientSecret);
    const authorization = await authorize(new TestBrowser(), portalConfig, { redirectUri: 'http://127.0.0.1:9/callback', scope: 'openid offline_access', params: { prompt: 'consent' }, credentials: owner });
    const refreshed = await oidc.refreshTokenGrant(portalConfig, (await exchange(portalConfig, authorization)).refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    const page = await portal.request(`${idp.issuer}/my/databases/${id}`);
    expect(page.body).toContain('<h2 id="advanced">Advanced</h2>');
    expect(page.body).toContain('<option value="ES256" selected>ES256</option>');
    const form = {
      redirectUris: 'http://127.0.0.1:9/callback\nhttp://127.0.0.1:9/other-callback', postLogoutRedirectUris: 'http://127.0.0.1:9/',
      backchannelLogoutUri: '', tokenEndpointAuthMethod: 'client_secret_jwt', jwksUri: '', idTokenSignedResponseAlg: 'RS256', refreshTokenTtl: '3600',
    };
    const saved = await portal.submit(page, '/advanced', form);
    expect(saved.status, saved.body.slice(0, 400)).toBe(200);
    expect(saved.body).toContain('The advanced settings were saved.');
    expect(saved.body).toContain('<option value="RS256" selected>RS256</option>');
    const database = (await idp.services.databases.findById(id))!;
    expect(await idp.services.databases.clientSettings(id, { kind: 'operator' })).toEqual({
      redirectUris: ['http://127.0.0.1:9/callback', 'http://127.0.0.1:9/other-callback'], postLogoutRedirectUris: ['http://127.0.0.1:9/'],
      tokenEndpointAuthMethod: 'client_secret_jwt', idTokenSignedResponseAlg: 'RS256', refreshTokenTtl: 3600,
    });
    const listed = await cli(['database', 'list']);
    expect(listed.json<{ databases: { client_id: string }[] }>().databases.some((d) => d.client_id === database.clientId)).toBe(true);

    for (const [fields, message] of [
      [{ redirectUris: '' }, 'Give at least one redirect URI.'],
      [{ redirectUris: 'javascript:alert(1)' }, 'The redirect URI must be an http:// or https:// address'],
      [{ idTokenSignedResponseAlg: 'none' }, 'The ID token signing algorithm must be ES256 (the default), RS256 or EdDSA.'],
      [{ tokenEndpointAuthMethod: 'private_key_jwt' }, 'private_key_jwt needs a JWKS URI.'],
      [{ refreshTokenTtl: '12' }, 'The refresh token lifetime must be a whole number of seconds'],
    ] as [Record<string, string>, string][]) {
      const refused = await portal.submit(saved, '/advanced', { ...form, ...fields });
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.body.replace(/&#x27;|&#39;/g, "'")).toContain(message);
    }
    const missing = await portal.submit(saved, '/advanced', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Enter the redirect URIs, one per line.');

    // A member sees no Advanced section, and posting it is refused.
    const member = { email: 'mia@example.com', password: 'member passphrase 9' };
    const account = await idp.createAccount(member.email, member.password);
    const invitation = await idp.services.databases.invite(id, member.email, { kind: 'operator' });
    await idp.services.databases.acceptInvitation(invitation.id, (await idp.services.accounts.findById(account.id))!);
    const memberPortal = new TestBrowser();
    await signInToPortal(memberPortal, idp.issuer, member.email, member.password);
    const memberPage = await memberPortal.request(`${idp.issuer}/my/databases/${id}`);
    expect(memberPage.status).toBe(200);
    expect(memberPage.body).not.toContain('id="advanced"');
    const { hidden } = findForm(memberPage.body, '/leave');
    const forbidden = await memberPortal.request(`${idp.issuer}/my/databases/${id}/advanced`, { form: { ...hidden, ...form, idTokenSignedResponseAlg: 'EdDSA' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toContain('Only the owner of Portal Advanced can do this.');
    expect((await idp.services.databases.clientSettings(id, { kind: 'operator' })).idTokenSignedResponseAlg).toBe('RS256');
  });
});
