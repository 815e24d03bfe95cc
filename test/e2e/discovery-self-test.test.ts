/**
 * The discovery document keeps its word (issue 17). Every test below exercises advertised values with a
 * real client (openid-client v6, jose for what it checks) and marks them; the last test reads
 * `/.well-known/openid-configuration` again and fails on any advertised value (every endpoint, every
 * element of every *_supported list, every `true`) that no test exercised. Adding something to
 * discovery therefore needs a test here; something not meant to work must not be advertised.
 * A `false` promises nothing and needs no test. Run the whole file: the last test counts what the
 * others marked (with `-t` it fails).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { ACCOUNT_API_SCOPE, EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { findForm, TestBrowser } from '../helpers/browser.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/relying-party.ts';
import { authorize, discover, exchange, jwtHeader, jwtPayload } from '../helpers/oidc-sign-in.ts';
import { enableTwoFactor, portalSignIn, totp } from '../helpers/security.ts';
import type { NewDatabaseInput } from '../../idp/src/databases/types.ts';

vi.setConfig({ testTimeout: 120_000 });

const person = { email: 'dora@example.com', password: 'discovery passphrase 1', name: 'Dora Discovery' };
const redirectUri = 'http://127.0.0.1:9/callback';
const extensionRedirect = 'https://extension.example/cb';
const databaseApi = () => `${idp.issuer}/database-api`;

let idp: TestIdp;
let document: Record<string, unknown>;
let accountId: string;
let receiver: LogoutReceiver;
let jwksServer: http.Server;
let mainDb: { clientId: string; clientSecret?: string };
let main: oidc.Configuration;

/** What the tests exercised: discovery key -> values ('*' for an endpoint or a `true`). */
const exercised = new Map<string, Set<string>>();
function mark(key: string, ...values: string[]): void {
  const set = exercised.get(key) ?? new Set<string>();
  for (const v of values.length ? values : ['*']) set.add(v);
  exercised.set(key, set);
}

/** Keys a database signs its client assertions with (private_key_jwt), published on loopback. */
const clientKeys: Record<string, { privateKey: CryptoKey; kid: string }> = {};

let counter = 0;
async function createDatabase(extra: Partial<NewDatabaseInput> = {}) {
  counter += 1;
  const created = await idp.services.databases.create(accountId, {
    name: `Discovery ${counter}`, url: 'http://127.0.0.1:9', redirectUris: [redirectUri], postLogoutRedirectUris: ['http://127.0.0.1:9/'],
    tokenEndpointAuthMethod: 'client_secret_basic', ...extra,
  }, { kind: 'operator' });
  return { clientId: created.clientId, clientSecret: created.clientSecret };
}

beforeAll(async () => {
  idp = await startTestIdp({ IDP_EXTENSION_REDIRECT_URIS: extensionRedirect });
  accountId = (await idp.createAccount(person.email, person.password, person.name)).id;
  document = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  receiver = await startLogoutReceiver(idp.issuer, () => mainDb.clientId);
  const publicKeys: jose.JWK[] = [];
  for (const alg of ['RS256', 'ES256', 'Ed25519'] as const) {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
    clientKeys[alg] = { privateKey, kid: `client-${alg}` };
    // No `alg` on the JWK: the Ed25519 key signs as both EdDSA and Ed25519.
    publicKeys.push({ ...(await jose.exportJWK(publicKey)), kid: `client-${alg}`, use: 'sig' });
  }
  jwksServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: publicKeys })));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  mainDb = await createDatabase({ backchannelLogoutUri: receiver.url });
  main = await discover(idp.issuer, mainDb.clientId, mainDb.clientSecret);
});

afterAll(async () => {
  await receiver?.close();
  jwksServer?.close();
  await idp?.close();
});

function list(key: string): string[] {
  return (document[key] as string[] | undefined) ?? [];
}

describe('the discovery document', () => {
  it('names this issuer and its endpoints, which openid-client accepts', () => {
    expect(document.issuer).toBe(idp.issuer);
    mark('issuer');
    expect(oidc.discovery).toBeDefined();
    expect(main.serverMetadata().issuer).toBe(idp.issuer);
    expect(list('response_types_supported')).toEqual(['code']);
    expect(list('code_challenge_methods_supported')).toEqual(['S256']);
  });
});

describe('response modes, response type and the authorization code grant', () => {
  it('query: code in the query, with iss (RFC 9207), PKCE S256', async () => {
    const authorization = await authorize(new TestBrowser(), main, { redirectUri, credentials: person });
    expect(authorization.callback!.searchParams.get('iss')).toBe(idp.issuer);
    const tokens = await exchange(main, authorization);
    expect(tokens.claims()!.sub).toBe(accountId);
    mark('response_modes_supported', 'query');
    mark('response_types_supported', 'code');
    mark('code_challenge_methods_supported', 'S256');
    mark('authorization_response_iss_parameter_supported');
    mark('authorization_endpoint');
    mark('token_endpoint');
    mark('grant_types_supported', 'authorization_code');
    mark('jwks_uri');
  });

  it('a plain PKCE challenge is refused (only S256 is advertised)', async () => {
    const url = oidc.buildAuthorizationUrl(main, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain', state: 's' });
    const res = await new TestBrowser().request(url);
    expect(new URL(res.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('fragment: the code comes back in the fragment', async () => {
    const authorization = await authorize(new TestBrowser(), main, { redirectUri, credentials: person, params: { response_mode: 'fragment' } });
    expect(authorization.callback!.search).toBe('');
    const params = new URLSearchParams(authorization.callback!.hash.slice(1));
    expect(params.get('code')).toBeTruthy();
    // openid-client reads a code from the query: a browser-side script moves it there.
    const tokens = await exchange(main, authorization, new URL(`${redirectUri}?${params}`));
    expect(tokens.claims()!.sub).toBe(accountId);
    mark('response_modes_supported', 'fragment');
  });

  it('form_post: the code is posted by an auto-submitting form', async () => {
    const authorization = await authorize(new TestBrowser(), main, { redirectUri, credentials: person, params: { response_mode: 'form_post' } });
    expect(authorization.callback).toBeUndefined();
    const { hidden } = findForm(authorization.response.body, redirectUri);
    expect(hidden.code).toBeTruthy();
    const posted = new Request(redirectUri, { method: 'POST', body: new URLSearchParams(hidden), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const tokens = await oidc.authorizationCodeGrant(main, posted, { pkceCodeVerifier: authorization.verifier, expectedState: authorization.state, expectedNonce: authorization.nonce });
    expect(tokens.claims()!.sub).toBe(accountId);
    mark('response_modes_supported', 'form_post');
  });

  it('PAR (RFC 9126): the request is pushed, then the short request_uri is used', async () => {
    const authorization = await authorize(new TestBrowser(), main, { redirectUri, credentials: person, par: true });
    const tokens = await exchange(main, authorization);
    expect(tokens.claims()!.sub).toBe(accountId);
    mark('pushed_authorization_request_endpoint');
  });
});

describe('scopes and claims delivered to a database that asks', () => {
  it('openid, email, profile and offline_access: every claim in the ID token and userinfo', async () => {
    const authorization = await authorize(new TestBrowser(), main, {
      redirectUri, credentials: person, scope: 'openid email profile offline_access', params: { prompt: 'consent', max_age: '600' },
    });
    const tokens = await exchange(main, authorization);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: idp.issuer, sub: accountId, email: person.email, email_verified: true, name: person.name, locale: 'en', zoneinfo: 'UTC',
      login: person.email, role: 'owner', auth_time: expect.any(Number), sid: expect.any(String), updated_at: expect.any(Number),
    });
    const userinfo = await oidc.fetchUserInfo(main, tokens.access_token, accountId);
    expect(userinfo).toMatchObject({ sub: accountId, email: person.email, email_verified: true, name: person.name, locale: 'en', zoneinfo: 'UTC', login: person.email, role: 'owner' });
    mark('userinfo_endpoint');
    for (const claim of list('claims_supported')) {
      if (claim in claims) mark('claims_supported', claim);
    }
    // All claims are "normal": in the token itself, neither aggregated nor distributed.
    expect('_claim_names' in claims || '_claim_sources' in claims).toBe(false);
    mark('claim_types_supported', 'normal');
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope!.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    mark('scopes_supported', 'openid', 'email', 'profile', 'offline_access');
  });

  it('public subject identifiers: the same sub at two databases', async () => {
    const other = await createDatabase();
    const config = await discover(idp.issuer, other.clientId, other.clientSecret);
    const tokens = await exchange(config, await authorize(new TestBrowser(), config, { redirectUri, credentials: person }));
    expect(tokens.claims()!.sub).toBe(accountId);
    mark('subject_types_supported', 'public');
  });

  it('account: the account API scope is the extension\'s (public client, DPoP), and a database asking for it does not get it', async () => {
    const extension = await discover(idp.issuer, EXTENSION_CLIENT_ID, {}, oidc.None());
    const dpop = oidc.getDPoPHandle(extension, await oidc.randomDPoPKeyPair('ES256'));
    const resource = `${idp.issuer}/api`;
    const authorization = await authorize(new TestBrowser(), extension, {
      redirectUri: extensionRedirect, credentials: person, scope: `openid offline_access ${ACCOUNT_API_SCOPE}`, params: { resource },
    });
    const tokens = await oidc.authorizationCodeGrant(extension, authorization.callback!, {
      pkceCodeVerifier: authorization.verifier, expectedState: authorization.state, expectedNonce: authorization.nonce,
    }, { resource }, { DPoP: dpop });
    expect(tokens.scope).toContain(ACCOUNT_API_SCOPE);
    const status = await oidc.fetchProtectedResource(extension, tokens.access_token, new URL(`${idp.issuer}/api/v1/status`), 'GET', undefined, undefined, { DPoP: dpop });
    expect(status.status).toBe(200);
    mark('scopes_supported', ACCOUNT_API_SCOPE);
    mark('token_endpoint_auth_methods_supported', 'none');

    const asked = await authorize(new TestBrowser(), main, { redirectUri, credentials: person, scope: `openid ${ACCOUNT_API_SCOPE}`, params: { resource } });
    const error = new URLSearchParams(asked.callback!.search).get('error');
    expect(error).toBe('invalid_target');
  });
});

describe('grant types', () => {
  it('refresh_token: rotates; revocation ends it; introspection reports it', async () => {
    const tokens = await exchange(main, await authorize(new TestBrowser(), main, { redirectUri, credentials: person, scope: 'openid offline_access', params: { prompt: 'consent' } }));
    const rotated = await oidc.refreshTokenGrant(main, tokens.refresh_token!);
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    mark('grant_types_supported', 'refresh_token');
    expect(await oidc.tokenIntrospection(main, rotated.refresh_token!)).toMatchObject({ active: true, client_id: mainDb.clientId, sub: accountId, scope: 'openid offline_access' });
    expect(await oidc.tokenIntrospection(main, rotated.access_token)).toMatchObject({ active: true, client_id: mainDb.clientId });
    mark('introspection_endpoint');
    await oidc.tokenRevocation(main, rotated.refresh_token!);
    expect((await oidc.tokenIntrospection(main, rotated.refresh_token!)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(main, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    mark('revocation_endpoint');
  });

  it('client_credentials: a database API token', async () => {
    const cc = await oidc.clientCredentialsGrant(main, { resource: databaseApi(), scope: 'members:read' });
    const members = await oidc.fetchProtectedResource(main, cc.access_token, new URL(`${idp.issuer}/api/database/members`), 'GET');
    expect(members.status).toBe(200);
    mark('grant_types_supported', 'client_credentials');
  });
});

describe('token endpoint authentication methods and their signing algorithms', () => {
  async function clientCredentials(config: oidc.Configuration) {
    return (await oidc.clientCredentialsGrant(config, { resource: databaseApi(), scope: 'members:read' })).access_token;
  }

  it('client_secret_basic and client_secret_post', async () => {
    expect(await clientCredentials(main)).toBeTruthy();
    mark('token_endpoint_auth_methods_supported', 'client_secret_basic');
    const post = await createDatabase({ tokenEndpointAuthMethod: 'client_secret_post' });
    expect(await clientCredentials(await discover(idp.issuer, post.clientId, { token_endpoint_auth_method: 'client_secret_post' }, oidc.ClientSecretPost(post.clientSecret!)))).toBeTruthy();
    mark('token_endpoint_auth_methods_supported', 'client_secret_post');
  });

  it('client_secret_jwt with HS256', async () => {
    const jwt = await createDatabase({ tokenEndpointAuthMethod: 'client_secret_jwt' });
    let alg = '';
    const auth = oidc.ClientSecretJwt(jwt.clientSecret!, { [oidc.modifyAssertion]: (header) => { alg = String(header.alg); } });
    expect(await clientCredentials(await discover(idp.issuer, jwt.clientId, { token_endpoint_auth_method: 'client_secret_jwt' }, auth))).toBeTruthy();
    expect(alg).toBe('HS256');
    mark('token_endpoint_auth_methods_supported', 'client_secret_jwt');
    mark('token_endpoint_auth_signing_alg_values_supported', 'HS256');
  });

  it('private_key_jwt with RS256, ES256, Ed25519 and EdDSA', async () => {
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    const pkj = await createDatabase({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri });
    for (const [alg, keyName] of [['RS256', 'RS256'], ['ES256', 'ES256'], ['Ed25519', 'Ed25519'], ['EdDSA', 'Ed25519']] as const) {
      const { privateKey, kid } = clientKeys[keyName]!;
      let sent = '';
      const auth = oidc.PrivateKeyJwt({ key: privateKey, kid }, {
        [oidc.modifyAssertion]: (header) => {
          header.alg = alg;
          sent = String(header.alg);
        },
      });
      expect(await clientCredentials(await discover(idp.issuer, pkj.clientId, { token_endpoint_auth_method: 'private_key_jwt' }, auth)), alg).toBeTruthy();
      expect(sent).toBe(alg);
      mark('token_endpoint_auth_signing_alg_values_supported', alg);
    }
    mark('token_endpoint_auth_methods_supported', 'private_key_jwt');
  });
});

describe('ID token signing algorithms', () => {
  it('ES256 (default), RS256 and EdDSA, each verified by openid-client against the published JWKS', async () => {
    for (const alg of list('id_token_signing_alg_values_supported')) {
      const db = alg === 'ES256' ? mainDb : await createDatabase({ idTokenSignedResponseAlg: alg as 'RS256' | 'EdDSA' });
      const config = await discover(idp.issuer, db.clientId, { client_secret: db.clientSecret, id_token_signed_response_alg: alg });
      const tokens = await exchange(config, await authorize(new TestBrowser(), config, { redirectUri, credentials: person }));
      expect(jwtHeader(tokens.id_token!).alg).toBe(alg);
      expect(tokens.claims()!.sub).toBe(accountId);
      mark('id_token_signing_alg_values_supported', alg);
    }
  });
});

describe('DPoP signing algorithms', () => {
  it('ES256, Ed25519 and EdDSA proofs bind the access token', async () => {
    for (const [alg, keyAlg] of [['ES256', 'ES256'], ['Ed25519', 'Ed25519'], ['EdDSA', 'Ed25519']] as const) {
      if (!list('dpop_signing_alg_values_supported').includes(alg)) continue;
      let sent = '';
      const dpop = oidc.getDPoPHandle(main, await oidc.randomDPoPKeyPair(keyAlg, { extractable: true }), {
        [oidc.modifyAssertion]: (header) => {
          header.alg = alg;
          sent = alg;
        },
      });
      const cc = await oidc.clientCredentialsGrant(main, { resource: databaseApi(), scope: 'members:read' }, { DPoP: dpop });
      expect(cc.token_type.toLowerCase(), alg).toBe('dpop');
      expect(sent).toBe(alg);
      mark('dpop_signing_alg_values_supported', alg);
    }
  });
});

describe('registration, end session and back-channel logout', () => {
  it('registers a database (RFC 7591) that signs in', async () => {
    const { token } = await idp.services.databases.createRegistrationToken(person.email);
    const res = await fetch(document.registration_endpoint as string, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Discovery Registered', client_uri: 'http://127.0.0.1:9', redirect_uris: [redirectUri] }),
    });
    expect(res.status).toBe(201);
    const client = await res.json() as { client_id: string; client_secret: string };
    const config = await discover(idp.issuer, client.client_id, client.client_secret);
    expect((await exchange(config, await authorize(new TestBrowser(), config, { redirectUri, credentials: person }))).claims()!.sub).toBe(accountId);
    mark('registration_endpoint');
  });

  it('RP-initiated logout ends the session and sends the database a logout token with its sid', async () => {
    const browser = new TestBrowser();
    const tokens = await exchange(main, await authorize(browser, main, { redirectUri, credentials: person }));
    const sid = tokens.claims()!.sid;
    expect(sid).toEqual(expect.any(String));
    const before = receiver.received.length;
    const confirm = await browser.follow(oidc.buildEndSessionUrl(main, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/' }));
    expect(confirm.status).toBe(200);
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' }, { stopAt: (u) => u.origin === 'http://127.0.0.1:9' });
    expect(done.location).toBe('http://127.0.0.1:9/');
    mark('end_session_endpoint');
    const received = await receiver.waitFor(before + 1);
    expect(receiver.rejected).toEqual([]);
    const logout = received.at(-1)!;
    expect(logout).toMatchObject({ iss: idp.issuer, aud: mainDb.clientId, sub: accountId, sid });
    mark('backchannel_logout_supported');
    mark('backchannel_logout_session_supported');
    // The IdP session is gone: the next authorization asks to sign in again.
    const again = await browser.follow(oidc.buildAuthorizationUrl(main, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'b'.repeat(43), code_challenge_method: 'S256', state: 's' }));
    expect(again.body).toContain('/login');
    expect(jwtPayload(tokens.id_token!).sid).toBe(sid);
  });
});

describe('acr values', () => {
  it('a password sign-in says pwd, a password and a code say mfa, and a request for a passkey refuses a password', async () => {
    const pwd = await exchange(main, await authorize(new TestBrowser(), main, { redirectUri, credentials: person }));
    expect(pwd.claims()!.acr).toBe('urn:latchkey:acr:pwd');
    mark('acr_values_supported', 'urn:latchkey:acr:pwd');

    // phr and phrh: a database that asks for a passkey gets no sign-in from a password (the passkey
    // sign-ins that satisfy them, with a software and a virtual authenticator, are in passkeys.test.ts
    // and passkeys-browser.test.ts).
    for (const acr of ['phr', 'phrh']) {
      const asked = await new TestBrowser().follow(oidc.buildAuthorizationUrl(main, {
        redirect_uri: redirectUri, scope: 'openid', state: 's', acr_values: acr,
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      }), { stopAt: (u) => u.origin === new URL(redirectUri).origin });
      expect(asked.body, acr).toContain('asks you to sign in with a passkey');
      mark('acr_values_supported', acr);
    }

    // mfa: turn 2FA on for this person (the last test of the file that signs in), then sign in again.
    const portal = new TestBrowser();
    await portalSignIn(idp, portal, person.email, person.password);
    const { secret } = await enableTwoFactor(portal, idp);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(main, {
      redirect_uri: redirectUri, scope: 'openid', state: 'mfa', nonce: 'mfa',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const stopAt = (u: URL) => u.origin === new URL(redirectUri).origin;
    const browser = new TestBrowser();
    const login = await browser.follow(url, { stopAt });
    const codePage = await browser.submit(login, '/login', person, { stopAt });
    expect(codePage.body).toContain('/second-factor');
    let page = await browser.submit(codePage, '/second-factor', { code: totp(secret, 1) }, { stopAt });
    if (page.status === 200 && page.body.includes('/confirm"')) page = await browser.submit(page, '/confirm', {}, { stopAt });
    expect(page.location, page.body.slice(0, 300)).toBeTruthy();
    const tokens = await oidc.authorizationCodeGrant(main, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 'mfa', expectedNonce: 'mfa' });
    expect(tokens.claims()!.acr).toBe('urn:latchkey:acr:mfa');
    mark('acr_values_supported', 'urn:latchkey:acr:mfa');
  });
});

describe('nothing advertised is left untested', () => {
  it('every endpoint, every supported value and every true flag of discovery was exercised above', async () => {
    const now = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(now).toEqual(document);
    const missing: string[] = [];
    for (const [key, value] of Object.entries(now)) {
      const done = exercised.get(key) ?? new Set<string>();
      if (Array.isArray(value)) {
        for (const v of value) if (!done.has(String(v))) missing.push(`${key}: ${String(v)}`);
      } else if (value === false) {
      } else if (!done.has('*')) {
        missing.push(key);
      }
    }
    expect(missing, 'advertised in discovery but exercised by no test').toEqual([]);
  });
});
