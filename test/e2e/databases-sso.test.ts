/**
 * Databases end to end, with the IdP in this process and the reference database started with
 * `startDatabaseApp`: the database manager creates a database and SSO opens it; the account password
 * (after a change), a database-specific password, the fixed sign-in login across an email change until
 * support changes it, an invitation accepted by a new account, a non-member refused, owner actions,
 * dynamic client registration, the database API, and clear errors for bad input on every form.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { startDatabaseApp, type DatabaseApp } from '../reference-database/src/app.ts';
import { linkFrom, tempDir } from '../helpers/idp.ts';
import { discoverClient } from '../helpers/clients.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { field, freePort, runIdpCli, signInToDatabase, signInToPortal, TestBrowser } from '../helpers/databases.ts';
import { nowSeconds } from '../../idp/src/clock.ts';

const idp = useTestIdp();
let app: DatabaseApp | undefined;
const dirs: string[] = [];
const owner = { email: 'olivia@example.com', password: 'first passphrase 1', name: 'Olivia Owner' };
let ownerId: string;
const ownerPortal = new TestBrowser();
let acme: { id: string; clientId: string; clientSecret: string; url: string };

beforeAll(async () => {
  ownerId = (await idp.createAccount(owner.email, owner.password, owner.name)).id;
  await signInToPortal(ownerPortal, idp.issuer, owner.email, owner.password);
});

afterAll(async () => {
  await app?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function startApp(name: string, port: number, clientId: string, clientSecret: string): Promise<DatabaseApp> {
  const dataDir = tempDir('latchkey-refdb-');
  dirs.push(dataDir);
  return await startDatabaseApp({ name, port, host: '127.0.0.1', issuer: idp.issuer, clientId, clientSecret, dataDir }, { log: () => {} });
}

async function createInPortal(browser: TestBrowser, fields: Record<string, string>) {
  const list = await browser.request(`${idp.issuer}/my/databases`);
  expect(list.status).toBe(200);
  return browser.submit(list, '/my/databases', fields);
}

const text = (s: string) => s.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('the database manager and single sign-on', () => {
  it('creates a database, shows its credentials once, lists it with role, login and Open, and signs in to it', async () => {
    const empty = await ownerPortal.request(`${idp.issuer}/my/databases`);
    expect(empty.body).toContain('You do not own or belong to any database yet.');
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const created = await createInPortal(ownerPortal, { name: 'Acme', url });
    expect(created.status).toBe(201);
    const clientId = created.body.match(/id="client-id">([^<]+)</)![1]!;
    const clientSecret = created.body.match(/id="client-secret">([^<]+)</)![1]!;
    const id = created.body.match(/href="\/my\/databases\/(dbs_[^"]+)"/)![1]!;
    acme = { id, clientId, clientSecret, url };

    const list = await ownerPortal.request(`${idp.issuer}/my/databases`);
    expect(list.body).toMatch(/Acme<\/a><\/td><td>http:\/\/localhost:\d+<\/td><td>Owner<\/td><td>olivia@example.com<\/td>/);
    expect(list.body).toContain(`href="${url}/login"`);
    expect(list.body).not.toContain(clientSecret);

    app = await startApp('Acme', port, clientId, clientSecret);
    const home = await signInToDatabase(new TestBrowser(), url, owner);
    expect(home.status, home.body.slice(0, 600)).toBe(200);
    expect(field(home, 'login')).toBe(owner.email);
    expect(field(home, 'role')).toBe('owner');

    // The portal's IdP session signs in to the database without typing anything ("Open").
    const open = await signInToDatabase(ownerPortal, url);
    expect(field(open, 'login')).toBe(owner.email);
  });

  it('puts login and role in the ID token and userinfo of a database, and only there', async () => {
    const config = await discoverClient(idp, acme);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${acme.url}/callback`, scope: 'openid email profile', state: 's', nonce: 'n',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const back = await ownerPortal.follow(url, { stopAt: (u) => u.origin === acme.url });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
    expect(tokens.claims()).toMatchObject({ sub: ownerId, email: owner.email, name: owner.name, login: owner.email, role: 'owner' });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, ownerId)).toMatchObject({ login: owner.email, role: 'owner' });
  });

  it('after an account password change, the old password no longer opens the database and the new one does', async () => {
    const account = (await idp.services.accounts.findById(ownerId))!;
    await idp.services.security.passwords.changePassword(account, { current: owner.password, next: 'second passphrase 2' }, {});
    const old = await signInToDatabase(new TestBrowser(), acme.url, owner);
    expect(old.status).toBe(401);
    expect(old.body).toContain('Incorrect email or password.');
    owner.password = 'second passphrase 2';
    const home = await signInToDatabase(new TestBrowser(), acme.url, owner);
    expect(field(home, 'login')).toBe(owner.email);
    // The change ended every session of the account, the portal's included.
    expect((await ownerPortal.request(`${idp.issuer}/my/databases`)).status).toBe(302);
    await signInToPortal(ownerPortal, idp.issuer, owner.email, owner.password);
  });

  it('opens the database with a database-specific password and still with the account password', async () => {
    const browser = new TestBrowser();
    await signInToDatabase(browser, acme.url, owner);
    const settings = await browser.request(`${acme.url}/settings`);
    const saved = await browser.submit(settings, '/settings/password', { password: 'database only 3', confirm: 'database only 3' });
    expect(saved.status).toBe(200);

    const local = new TestBrowser();
    const login = await local.request(`${acme.url}/login`);
    const withDatabasePassword = await local.submit(login, '/login/password', { email: owner.email, password: 'database only 3' });
    expect(field(withDatabasePassword, 'signed-in-with')).toBe('database password');

    // The account password is never typed on the database: its form sends the person to the IdP.
    const sso = new TestBrowser();
    const login2 = await sso.request(`${acme.url}/login`);
    const atIdp = await sso.submit(login2, '/login/password', { email: owner.email, password: owner.password });
    expect(atIdp.url.startsWith(idp.issuer)).toBe(true);
    expect(atIdp.body).toContain(`value="${owner.email}"`);
    const home = await sso.submit(atIdp, '/login', { email: owner.email, password: owner.password });
    expect(field(home, 'signed-in-with')).toBe('your account');
  });

  it('keeps the sign-in login across an account email change until support changes it', async () => {
    const newEmail = 'olivia.new@example.com';
    await idp.services.accountsRepo.update(ownerId, { email: newEmail }, nowSeconds());

    const withNewEmail = await signInToDatabase(new TestBrowser(), acme.url, { email: newEmail, password: owner.password });
    expect(withNewEmail.status).toBe(401);
    expect(text(withNewEmail.body)).toContain(`On Acme you sign in as ${owner.email}`);
    const withLogin = await signInToDatabase(new TestBrowser(), acme.url, owner);
    expect(field(withLogin, 'login')).toBe(owner.email);
    const list = await ownerPortal.request(`${idp.issuer}/my/databases`);
    expect(list.body).toContain(`<td>Owner</td><td>${owner.email}</td>`);

    const changed = await runIdpCli(['membership', 'set-login', '--database', 'Acme', '--account', newEmail, '--login', newEmail, '--reason', 'asked by the person (ticket 17)'], { IDP_DATA_DIR: idp.dataDir });
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.json()).toEqual({ database: 'Acme', account: newEmail, old_login: owner.email, new_login: newEmail });
    const audit = (await idp.services.audit.listForAccount(ownerId)).find((e) => e.event === 'membership.login_changed');
    expect(audit).toMatchObject({ actor: 'operator', data: { database: 'Acme', old: owner.email, new: newEmail } });

    const oldLogin = await signInToDatabase(new TestBrowser(), acme.url, owner);
    expect(oldLogin.status).toBe(401);
    owner.email = newEmail;
    const home = await signInToDatabase(new TestBrowser(), acme.url, owner);
    expect(field(home, 'login')).toBe(newEmail);
  });
});

describe('invitations and access', () => {
  const newcomer = { email: 'nina@example.com', password: 'newcomer phrase 4', name: 'Nina Newcomer' };
  const newcomerBrowser = new TestBrowser();

  it('invites by email; a new account signs up, accepts and signs in to the database as a member', async () => {
    const page = await ownerPortal.request(`${idp.issuer}/my/databases/${acme.id}`);
    expect(page.status).toBe(200);
    const invited = await ownerPortal.submit(page, '/invite', { email: 'Nina@Example.com' });
    expect(invited.body).toContain('The invitation was sent.');
    expect(invited.body).toMatch(/<td>nina@example.com<\/td><td><\/td><td>Member<\/td><td>Invited<\/td>/);
    const invitationLink = linkFrom(idp.lastMailTo(newcomer.email), '/my/invitations');

    const signup = await newcomerBrowser.request(`${idp.issuer}/signup`);
    await newcomerBrowser.submit(signup, '/signup', newcomer);
    const confirm = await newcomerBrowser.request(linkFrom(idp.lastMailTo(newcomer.email), '/verify-email'));
    await newcomerBrowser.submit(confirm, '/verify-email', {});
    expect((await idp.services.accounts.findByEmail(newcomer.email))?.emailVerifiedAt).toBeTruthy();
    await signInToPortal(newcomerBrowser, idp.issuer, newcomer.email, newcomer.password);

    const listed = await newcomerBrowser.request(`${idp.issuer}/my/databases`);
    expect(listed.body).toContain('Invitations');
    const invitation = await newcomerBrowser.request(invitationLink);
    expect(invitation.status).toBe(200);
    expect(invitation.body).toContain('Join Acme?');
    const accepted = await newcomerBrowser.submit(invitation, '/accept', {});
    expect(accepted.body).toContain('You joined the database.');
    expect(accepted.body).toMatch(/<td>Member<\/td><td>nina@example.com<\/td>/);

    const home = await signInToDatabase(newcomerBrowser, acme.url);
    expect(field(home, 'login')).toBe(newcomer.email);
    expect(field(home, 'role')).toBe('member');
    // The owner of a database with other members cannot delete the account before handing it over.
    expect(await idp.services.security.deletion.blockersFor(ownerId)).toEqual(['Acme']);
  });

  it('refuses a non-member with a clear page and access_denied for the database', async () => {
    await idp.createAccount('stranger@example.com', 'outsider phrase 5', 'Sam Stranger');
    const browser = new TestBrowser();
    // The IdP's form asks a database's users for their sign-in login there, not "Email".
    const form = await signInToDatabase(new TestBrowser(), acme.url);
    expect(form.body).toContain('Sign-in login');
    expect(form.body).toContain('The email address you sign in to Acme with');
    const portalForm = await new TestBrowser().follow(`${idp.issuer}/my/login`);
    expect(portalForm.body).not.toContain('Sign-in login');
    const refused = await signInToDatabase(browser, acme.url, { email: 'stranger@example.com', password: 'outsider phrase 5' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('No access to Acme');
    expect(refused.body).toContain('stranger@example.com is not a member of Acme');
    const back = await browser.submit(refused, '/no-access', {}, { stopAt: (u) => u.pathname === '/callback' });
    expect(new URL(back.location!).searchParams.get('error')).toBe('access_denied');
    const atDatabase = await browser.follow(back.location!);
    expect(atDatabase.status).toBe(403);
    expect(text(atDatabase.body)).toContain('does not have access to Acme');
    // prompt=none gets access_denied at once.
    const config = await discoverClient(idp, acme);
    const silent = oidc.buildAuthorizationUrl(config, { redirect_uri: `${acme.url}/callback`, scope: 'openid', prompt: 'none', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const answer = await browser.follow(silent, { stopAt: (u) => u.pathname === '/callback' });
    expect(new URL(answer.location!).searchParams.get('error')).toBe('access_denied');
  });

  it('lets only the owner manage, and answers bad input on every form with a clear error', async () => {
    const list = await ownerPortal.request(`${idp.issuer}/my/databases`);
    const cases: [Record<string, string>, number, string][] = [
      [{ name: '', url: 'https://x.example' }, 400, 'Enter a name for the database.'],
      [{ name: 'Beta', url: 'not a url' }, 400, 'must be an http:// or https:// address'],
      [{ name: 'Beta', url: 'https://beta.example/path' }, 400, 'without a path'],
      [{ name: '<script>', url: 'https://beta.example' }, 400, 'Use letters, digits'],
      [{ name: 'ACME', url: 'https://beta.example' }, 409, 'A database named "ACME" already exists'],
    ];
    for (const [fields, status, message] of cases) {
      const res = await ownerPortal.submit(list, '/my/databases', fields);
      expect({ fields, status: res.status }).toEqual({ fields, status });
      expect(text(res.body)).toContain(message);
    }
    const page = await ownerPortal.request(`${idp.issuer}/my/databases/${acme.id}`);
    const formCases: [string, Record<string, string>, number, string][] = [
      ['/invite', { email: 'nope' }, 400, 'Enter a valid email address'],
      ['/invite', { email: 'nina@example.com' }, 409, 'already a member of Acme'],
      ['/transfer', { member: 'mem_doesnotexist' }, 400, 'Choose an active member'],
      ['/delete', { confirm: 'Acm' }, 400, 'Type the name of the database, Acme, to confirm.'],
    ];
    for (const [action, fields, status, message] of formCases) {
      const res = await ownerPortal.submit(page, action, fields);
      expect({ action, status: res.status }).toEqual({ action, status });
      expect(text(res.body)).toContain(message);
    }
    const noCsrf = await ownerPortal.request(`${idp.issuer}/my/databases/${acme.id}/invite`, { form: { email: 'x@example.com' } });
    expect(noCsrf.status).toBe(403);

    // A member sees the database but none of the owner's forms; posting them anyway is refused.
    const memberView = await newcomerBrowser.request(`${idp.issuer}/my/databases/${acme.id}`);
    expect(memberView.body).toContain('Leave Acme');
    expect(memberView.body).not.toContain('Send invitation');
    const forged = await newcomerBrowser.request(`${idp.issuer}/my/databases/${acme.id}/invite`, { form: { email: 'x@example.com', _csrf: memberView.body.match(/name="_csrf" value="([^"]+)"/)![1]! } });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('Only the owner of Acme can do this.');
    const stranger = new TestBrowser();
    await signInToPortal(stranger, idp.issuer, 'stranger@example.com', 'outsider phrase 5');
    expect((await stranger.request(`${idp.issuer}/my/databases/${acme.id}`)).status).toBe(404);
    expect((await stranger.request(`${idp.issuer}/my/invitations?token=${'a'.repeat(43)}`)).status).toBe(410);
    expect((await stranger.request(`${idp.issuer}/my/invitations?token=bad`)).status).toBe(400);
  });

  it('removes a member, whose database session ends at once and who then gets "no access" even with a live IdP session', async () => {
    const signedIn = await newcomerBrowser.request(`${acme.url}/`);
    expect(signedIn.status).toBe(200);
    const page = await ownerPortal.request(`${idp.issuer}/my/databases/${acme.id}`);
    const memberId = page.body.match(/action="\/my\/databases\/[^/]+\/members\/([^/]+)\/remove"/)![1]!;
    const removed = await ownerPortal.submit(page, `/members/${memberId}/remove`, {});
    expect(removed.body).toContain('The member was removed.');
    // The database was told by back-channel logout: its own session for the member is gone.
    const afterRemoval = await newcomerBrowser.request(`${acme.url}/`);
    expect(afterRemoval.status).toBe(302);
    expect(afterRemoval.location).toContain('/login');
    // And a new sign-in there is refused, although the IdP session lives on.
    const refused = await signInToDatabase(newcomerBrowser, acme.url);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('No access to Acme');
    const list = await newcomerBrowser.request(`${idp.issuer}/my/databases`);
    expect(list.body).toContain('You do not own or belong to any database yet.');
    expect(await idp.services.security.deletion.blockersFor(ownerId)).toEqual([]);
  });

  it('transfers ownership, lets the former owner leave, and deletes a database with typed confirmation', async () => {
    await idp.createAccount('mark@example.com', 'member phrase 6', 'Mark Member');
    const mark = new TestBrowser();
    const created = await createInPortal(ownerPortal, { name: 'Beta', url: 'https://beta.example' });
    expect(created.status).toBe(201);
    const betaId = created.body.match(/href="\/my\/databases\/(dbs_[^"]+)"/)![1]!;
    const betaClient = created.body.match(/id="client-id">([^<]+)</)![1]!;
    const page = await ownerPortal.request(`${idp.issuer}/my/databases/${betaId}`);
    await ownerPortal.submit(page, '/invite', { email: 'mark@example.com' });
    await signInToPortal(mark, idp.issuer, 'mark@example.com', 'member phrase 6');
    const list = await mark.request(`${idp.issuer}/my/databases`);
    const joined = await mark.submit(list, '/accept', {});
    expect(joined.body).toMatch(/Beta<\/a><\/td><td>https:\/\/beta.example<\/td><td>Member<\/td><td>mark@example.com<\/td>/);

    const ownerPage = await ownerPortal.request(`${idp.issuer}/my/databases/${betaId}`);
    const markMember = ownerPage.body.match(/<option value="([^"]+)">mark@example.com<\/option>/)![1]!;
    const transferred = await ownerPortal.submit(ownerPage, '/transfer', { member: markMember });
    expect(transferred.body).toContain('You transferred the ownership.');
    expect(transferred.body).toContain('Leave Beta');
    const left = await ownerPortal.submit(transferred, '/leave', {});
    expect(left.body).toContain('You left the database.');
    expect(left.body).not.toContain('Beta</a>');

    const markPage = await mark.request(`${idp.issuer}/my/databases/${betaId}`);
    expect(markPage.body).toContain('Delete Beta');
    const deleted = await mark.submit(markPage, '/delete', { confirm: 'beta' });
    expect(deleted.body).toContain('The database was deleted.');
    expect(await idp.services.databases.findById(betaId)).toBeUndefined();
    const gone = await mark.request(`${idp.issuer}/auth?client_id=${betaClient}&response_type=code&scope=openid&redirect_uri=https://beta.example/callback&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`);
    expect(gone.status).toBe(400);
    expect(gone.body).toContain('not registered');
  });
});

describe('logging out from all devices', () => {
  it('ends the database session of another device by back-channel logout', async () => {
    const laptop = new TestBrowser();
    const home = await signInToDatabase(laptop, acme.url, owner);
    expect(field(home, 'login')).toBe(owner.email);
    // A fresh portal sign-in, so the re-authentication window is open.
    const portal = new TestBrowser();
    await signInToPortal(portal, idp.issuer, owner.email, owner.password);
    const security = await portal.request(`${idp.issuer}/my/security`);
    const done = await portal.submit(security, '/devices/logout-others', {});
    expect(done.status).toBe(200);
    const after = await laptop.request(`${acme.url}/`);
    expect(after.status).not.toBe(200);
    expect(after.location).toContain('/login');
    // The portal session that asked stays signed in.
    expect((await portal.request(`${idp.issuer}/my/databases`)).status).toBe(200);
    expect((await ownerPortal.request(`${idp.issuer}/my/databases`)).status).toBe(302);
    await signInToPortal(ownerPortal, idp.issuer, owner.email, owner.password);
  });
});

describe('dynamic client registration and the database API', () => {
  it('registers a database with a single-use initial access token owned by an account', async () => {
    const issued = await runIdpCli(['registration-token', 'create', '--owner', owner.email], { IDP_DATA_DIR: idp.dataDir });
    expect(issued.code, issued.stderr).toBe(0);
    const { initial_access_token: token } = issued.json<{ initial_access_token: string }>();
    const register = (body: unknown, bearer = token) => fetch(`${idp.issuer}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const bad = await register({ client_name: 'Gamma', client_uri: 'https://gamma.example/app', redirect_uris: ['https://gamma.example/callback'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('client_uri') });
    const ok = await register({ client_name: 'Gamma', client_uri: 'https://gamma.example', redirect_uris: ['https://gamma.example/callback'], first_party: false });
    expect(ok.status).toBe(201);
    const client = await ok.json() as Record<string, unknown>;
    expect(client).toMatchObject({ client_name: 'Gamma', first_party: true, token_endpoint_auth_method: 'client_secret_basic' });
    expect(client.client_secret).toEqual(expect.any(String));
    expect(client.registration_access_token).toBeUndefined();
    const gamma = (await idp.services.databases.findByClientId(String(client.client_id)))!;
    expect(gamma).toMatchObject({ name: 'Gamma', url: 'https://gamma.example', ownerId });
    expect(await idp.services.databases.membershipForClient(gamma.clientId, ownerId)).toMatchObject({ role: 'owner', login: owner.email });
    const again = await register({ client_name: 'Delta', client_uri: 'https://delta.example', redirect_uris: ['https://delta.example/callback'] });
    expect(again.status).toBe(401);
    expect((await register({}, 'not-a-token')).status).toBe(401);
  });

  it('lets a database list, invite and remove its members with a client credentials token', async () => {
    const page = await ownerPortal.request(`${idp.issuer}/my/databases/${acme.id}`);
    const regenerated = await ownerPortal.submit(page, '/secret', {});
    const secret = regenerated.body.match(/id="client-secret">([^<]+)</)![1]!;
    expect(secret).not.toBe(acme.clientSecret);
    const tokenFor = async (clientSecret: string, extra: Record<string, string> = {}) => fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${acme.clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${idp.issuer}/database-api`, scope: 'members:read members:write', ...extra }),
    });
    expect((await tokenFor(acme.clientSecret)).status).toBe(401);
    const issued = await tokenFor(secret);
    expect(issued.status).toBe(200);
    const { access_token: accessToken } = await issued.json() as { access_token: string };
    const api = (path: string, init: RequestInit = {}, bearer = accessToken) => fetch(`${idp.issuer}/api/database${path}`, {
      ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

    const members = await api('/members');
    expect(members.status).toBe(200);
    expect(await members.json()).toMatchObject({ database: { name: 'Acme' }, members: [expect.objectContaining({ login: owner.email, role: 'owner', status: 'active' })] });
    const invited = await api('/members', { method: 'POST', body: JSON.stringify({ email: 'api-guest@example.com' }) });
    expect(invited.status).toBe(201);
    const { member } = await invited.json() as { member: { id: string; status: string } };
    expect(member.status).toBe('invited');
    expect(idp.lastMailTo('api-guest@example.com')?.subject).toBe('You are invited to Acme');

    const badEmail = await api('/members', { method: 'POST', body: JSON.stringify({ email: 'nope' }) });
    expect(badEmail.status).toBe(400);
    expect(await badEmail.json()).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('valid email') });
    const ownerId2 = ((await (await api('/members')).json()) as { members: { id: string; role: string }[] }).members.find((m) => m.role === 'owner')!.id;
    const removeOwner = await api(`/members/${ownerId2}`, { method: 'DELETE' });
    expect(removeOwner.status).toBe(400);
    expect(await removeOwner.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('owner cannot be removed') });
    expect((await api(`/members/${member.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/members/${member.id}`, { method: 'DELETE' })).status).toBe(404);

    const anonymous = await fetch(`${idp.issuer}/api/database/members`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    expect((await api('/members', {}, 'forged-token')).status).toBe(401);
    const readOnly = await (await tokenFor(secret, { scope: 'members:read' })).json() as { access_token: string };
    const denied = await api('/members', { method: 'POST', body: JSON.stringify({ email: 'x@example.com' }) }, readOnly.access_token);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('members:write') });
  });
});
