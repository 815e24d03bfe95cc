/**
 * Issue 13, findings 4 and 5 (and the http-URI part of 6), performed as an attacker would against the
 * real IdP, on SQLite and (through the `postgres` project) on PostgreSQL+Redis:
 * - the open redirector: a database registered with https://attacker.example/... and a link to the IdP's
 *   /auth that fails on purpose must not bounce anyone there (RFC 9700 §4.11.2);
 * - self-service databases need a confirmed owner and https (or loopback) addresses;
 * - floods of invitations, database creations, sign-ups and reset mails stop with 429 + Retry-After and
 *   a sentence, without telling which addresses have an account.
 * The IdP trusts X-Forwarded-For here (IDP_TRUST_PROXY) so each per-IP test speaks from its own address.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { findForm, TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { runIdpCli, signInToPortal } from '../helpers/databases.ts';
import { advance } from '../helpers/security.ts';
import { ABUSE_LIMITS, PENDING_INVITATIONS } from '../../idp/src/security/abuse-limits.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });

const attacker = { email: 'mallory@example.com', password: 'night owl passphrase 1', name: 'Mallory' };
const attackerPortal = new TestBrowser();
const text = (s: string) => s.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const challenge = 'x'.repeat(43);

beforeAll(async () => {
  await idp.createAccount(attacker.email, attacker.password, attacker.name);
  await signInToPortal(attackerPortal, idp.issuer, attacker.email, attacker.password);
});

async function createInPortal(browser: TestBrowser, fields: Record<string, string>): Promise<PageResponse> {
  const list = await browser.request(`${idp.issuer}/my/databases`);
  expect(list.status).toBe(200);
  return browser.submit(list, '/my/databases', fields);
}

function createdIds(page: PageResponse): { id: string; clientId: string; clientSecret: string } {
  return {
    id: page.body.match(/href="\/my\/databases\/(dbs_[^"]+)"/)![1]!,
    clientId: page.body.match(/id="client-id">([^<]+)</)![1]!,
    clientSecret: page.body.match(/id="client-secret">([^<]+)</)![1]!,
  };
}

function authorizeUrl(clientId: string, params: Record<string, string>): string {
  return `${idp.issuer}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', ...params })}`;
}

/** The IdP's own error page, with no redirect anywhere. */
function expectIdpErrorPage(res: PageResponse, error: string): void {
  expect({ status: res.status, location: res.location }).toEqual({ status: 400, location: undefined });
  expect(res.body).toContain('Sign-in problem');
  expect(res.body).toContain(`<code>${error}</code>`);
}

async function register(token: string, metadata: Record<string, unknown>): Promise<Response> {
  return fetch(`${idp.issuer}/reg`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(metadata),
  });
}

describe('open redirector (finding 4)', () => {
  let evil: { id: string; clientId: string; clientSecret: string };

  it('refuses a database to an account whose email is not confirmed, in the portal and by registration', async () => {
    const browser = new TestBrowser();
    const signup = await browser.request(`${idp.issuer}/signup`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    const { hidden } = findForm(signup.body, '/signup');
    const done = await browser.request(`${idp.issuer}/signup`, { form: { ...hidden, name: 'Unconfirmed', email: 'victim-address@example.com', password: 'squatted passphrase 2' }, headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(done.status).toBe(200);
    const squatter = (await idp.services.accounts.findByEmail('victim-address@example.com'))!;
    expect(squatter.emailVerifiedAt).toBeNull();
    await signInToPortal(browser, idp.issuer, 'victim-address@example.com', 'squatted passphrase 2');
    // The database manager itself is closed to it (the confirmed-email guard), and so is its form,
    // posted with a valid CSRF token taken from a page the account may open.
    const list = await browser.request(`${idp.issuer}/my/databases`);
    expect(list.status).toBe(403);
    expect(text(list.body)).toContain('Confirm your email address');
    const accountPage = await browser.request(`${idp.issuer}/my/account`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(accountPage.body)?.[1];
    expect(csrf).toBeTruthy();
    const refused = await browser.request(`${idp.issuer}/my/databases`, { form: { _csrf: csrf!, name: 'Squat', url: 'https://attacker.example' } });
    expect(refused.status).toBe(403);
    expect(text(refused.body)).toContain('Confirm your email address');
    expect(await idp.services.databases.findByName('Squat')).toBeUndefined();

    // An initial access token the operator made for this account does not help.
    const { token } = await idp.services.databases.createRegistrationToken(squatter.email);
    const registered = await register(token, { client_name: 'Squat', client_uri: 'https://attacker.example', redirect_uris: ['https://attacker.example/callback'] });
    expect(registered.status).toBe(400);
    expect(await registered.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('Confirm your email address') });
    expect(await idp.services.databases.findByName('Squat')).toBeUndefined();
  });

  it('gives self-service databases only https (or loopback) addresses; the operator too in production', async () => {
    const httpUrl = await createInPortal(attackerPortal, { name: 'Plain', url: 'http://attacker.example' });
    expect(httpUrl.status).toBe(400);
    expect(text(httpUrl.body)).toContain('The database URL http://attacker.example must be an https:// address (http:// is allowed only for localhost, 127.0.0.1 and [::1]).');

    const { token } = await idp.services.databases.createRegistrationToken(attacker.email);
    const base = { client_name: 'Plain', client_uri: 'https://attacker.example', redirect_uris: ['https://attacker.example/callback'] };
    // RFC 7591 §3.2.2: a refused redirect URI is invalid_redirect_uri, any other field invalid_client_metadata.
    for (const [metadata, field, error] of [
      [{ redirect_uris: ['http://attacker.example/callback'] }, 'redirect_uris', 'invalid_redirect_uri'],
      [{ post_logout_redirect_uris: ['http://attacker.example/'] }, 'post_logout_redirect_uris', 'invalid_client_metadata'],
      [{ backchannel_logout_uri: 'http://attacker.example/logout' }, 'backchannel_logout_uri', 'invalid_client_metadata'],
    ] as const) {
      const res = await register(token, { ...base, ...metadata });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(await res.json()).toMatchObject({ error, error_description: expect.stringMatching(new RegExp(`^${field}: .*must be an https:// address`)) });
    }
    // The refusals came before the single-use token was spent: a corrected registration goes through.
    const ok = await register(token, { ...base, client_name: 'Registered', post_logout_redirect_uris: ['http://localhost:4000/'], trusted: true });
    expect(ok.status).toBe(201);
    const registered = await ok.json() as Record<string, unknown>;
    expect(registered.trusted).toBeUndefined();

    const create = (env: Record<string, string>, name: string) => runIdpCli([
      'database', 'create', '--owner', attacker.email, '--name', name, '--url', 'http://intranet.example', '--redirect-uri', 'http://intranet.example/callback',
    ], { IDP_DATA_DIR: idp.dataDir, ...env });
    const production = await create({ NODE_ENV: 'production', IDP_ISSUER: 'https://id.example' }, 'Intranet');
    expect(production.code).toBe(2);
    expect(production.stderr).toContain('must be an https:// address in production');
    const development = await create({}, 'Intranet');
    expect(development.code, development.stderr).toBe(0);
  });

  it('shows errors for an untrusted database on the IdP page instead of bouncing visitors to its redirect URI', async () => {
    evil = createdIds(await createInPortal(attackerPortal, { name: 'Evil', url: 'https://attacker.example' }));
    const redirectUri = 'https://attacker.example/callback';
    const anonymous = new TestBrowser();
    // No PKCE challenge: invalid_request, which used to be a 303 to https://attacker.example/callback?error=...
    expectIdpErrorPage(await anonymous.request(authorizeUrl(evil.clientId, { redirect_uri: redirectUri })), 'invalid_request');
    // A request object (not supported), an unsupported response type, prompt=none without a session.
    expectIdpErrorPage(await anonymous.request(authorizeUrl(evil.clientId, { redirect_uri: redirectUri, request: 'eyJhbGciOiJub25lIn0.e30.', code_challenge: challenge, code_challenge_method: 'S256' })), 'request_not_supported');
    expectIdpErrorPage(await anonymous.request(authorizeUrl(evil.clientId, { redirect_uri: redirectUri, response_type: 'token', code_challenge: challenge, code_challenge_method: 'S256' })), 'unsupported_response_type');
    expectIdpErrorPage(await anonymous.request(authorizeUrl(evil.clientId, { redirect_uri: redirectUri, prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' })), 'login_required');
    // An address it never registered is not redirected to, for any database.
    expectIdpErrorPage(await anonymous.request(authorizeUrl(evil.clientId, { redirect_uri: 'https://attacker.example/elsewhere', code_challenge: challenge, code_challenge_method: 'S256' })), 'invalid_redirect_uri');
    // Someone signed in at the IdP who follows the same broken link is not bounced either.
    const signedIn = new TestBrowser();
    await idp.createAccount('bystander@example.com', 'quiet walker phrase 3', 'Bystander');
    await signInToPortal(signedIn, idp.issuer, 'bystander@example.com', 'quiet walker phrase 3');
    expectIdpErrorPage(await signedIn.request(authorizeUrl(evil.clientId, { redirect_uri: redirectUri })), 'invalid_request');

    // A well-formed request still reaches the sign-in page.
    const fine = await anonymous.follow(authorizeUrl(evil.clientId, { redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256' }), { stopAt: (u) => u.origin !== idp.issuer });
    expect(fine.status).toBe(200);
    expect(fine.url).toContain('/interaction/');
  });

  it('applies the same address rule when the settings of a database change', async () => {
    const page = await attackerPortal.request(`${idp.issuer}/my/databases/${evil.id}`);
    const advanced = { redirectUris: 'https://attacker.example/callback\nhttp://attacker.example/callback', postLogoutRedirectUris: '', backchannelLogoutUri: '', jwksUri: '', tokenEndpointAuthMethod: 'client_secret_basic', idTokenSignedResponseAlg: 'ES256', refreshTokenTtl: '' };
    const refused = await attackerPortal.submit(page, '/advanced', advanced);
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain('The redirect URI http://attacker.example/callback must be an https:// address');
    const saved = await attackerPortal.submit(page, '/advanced', { ...advanced, redirectUris: 'https://attacker.example/callback\nhttp://127.0.0.1:8080/callback' });
    expect(saved.status, saved.body.slice(0, 300)).toBe(200);
    expect(saved.body).toContain(`/my/databases/${evil.id}`);

    const update = (env: Record<string, string>) => runIdpCli(['database', 'update', '--database', 'Intranet', '--redirect-uri', 'http://intranet.example/other'], { IDP_DATA_DIR: idp.dataDir, ...env });
    const production = await update({ NODE_ENV: 'production', IDP_ISSUER: 'https://id.example' });
    expect(production.code).toBe(2);
    expect(production.stderr).toContain('must be an https:// address in production');
    expect((await update({})).code).toBe(0);
  });

  it('still redirects errors to a trusted database: made by the operator, or marked by it', async () => {
    const owner = (await idp.services.accounts.findByEmail(attacker.email))!;
    const operatorMade = await idp.services.databases.create(owner.id, {
      name: 'Operator Made', url: 'https://partner.example', redirectUris: ['https://partner.example/callback'], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic',
    }, { kind: 'operator' });
    // Its invitations name its address: the operator vouched for it.
    await idp.services.databases.invite(operatorMade.database.id, 'partner-guest@example.com', { kind: 'account', accountId: owner.id });
    expect(idp.lastMailTo('partner-guest@example.com')!.text).toContain('a database named "Operator Made", at https://partner.example. Its owner chose this name and address.');
    const bounced = await new TestBrowser().request(authorizeUrl(operatorMade.clientId, { redirect_uri: 'https://partner.example/callback', state: 's' }));
    expect(bounced.status).toBe(303);
    const back = new URL(bounced.location!);
    expect({ origin: back.origin, error: back.searchParams.get('error'), state: back.searchParams.get('state') }).toEqual({ origin: 'https://partner.example', error: 'invalid_request', state: 's' });

    const listed = await runIdpCli(['database', 'list'], { IDP_DATA_DIR: idp.dataDir });
    const trustOf = (name: string) => listed.json<{ databases: { name: string; trusted: boolean }[] }>().databases.find((d) => d.name === name)?.trusted;
    expect({ evil: trustOf('Evil'), operator: trustOf('Operator Made'), registered: trustOf('Registered') }).toEqual({ evil: false, operator: true, registered: false });

    const trusted = await runIdpCli(['database', 'trust', '--database', 'Evil'], { IDP_DATA_DIR: idp.dataDir });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.json()).toEqual({ database: 'Evil', trusted: true });
    const nowBounced = await new TestBrowser().request(authorizeUrl(evil.clientId, { redirect_uri: 'https://attacker.example/callback' }));
    expect(nowBounced.status).toBe(303);
    expect(new URL(nowBounced.location!).origin).toBe('https://attacker.example');
    const off = await runIdpCli(['database', 'trust', '--database', 'Evil', '--off'], { IDP_DATA_DIR: idp.dataDir });
    expect(off.json()).toEqual({ database: 'Evil', trusted: false });
    expectIdpErrorPage(await new TestBrowser().request(authorizeUrl(evil.clientId, { redirect_uri: 'https://attacker.example/callback' })), 'invalid_request');
    const audit = (await idp.services.audit.listForAccount(owner.id)).map((e) => e.event);
    expect(audit).toEqual(expect.arrayContaining(['database.trusted', 'database.untrusted']));
  });
});

describe('mail and creation abuse (finding 5)', () => {
  async function databaseApiToken(db: { clientId: string; clientSecret: string }): Promise<string> {
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${db.clientId}:${db.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${idp.issuer}/database-api`, scope: 'members:read members:write' }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const invite = (token: string, email: string) => fetch(`${idp.issuer}/api/database/members`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  const mailsTo = (prefix: string) => idp.mails.filter((m) => m.to.startsWith(prefix)).length;

  it('stops 30 invitations in a row after the daily limit of the database, through the API and the portal form', async () => {
    const flood = createdIds(await createInPortal(attackerPortal, { name: 'Flood', url: 'https://flood.example' }));
    const token = await databaseApiToken(flood);
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 1; i <= 30; i++) {
      const res = await invite(token, `flood-${i}@example.com`);
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
      else await res.body?.cancel();
    }
    const max = ABUSE_LIMITS.invitationsPerDatabase.max;
    expect(statuses).toEqual([...Array(max).fill(201), ...Array(30 - max).fill(429)]);
    expect(mailsTo('flood-')).toBe(max);
    // The mail quotes the name the attacker chose, and leaves out the address of an untrusted database.
    const mail = idp.lastMailTo('flood-1@example.com')!;
    expect(mail.text).toContain('You are invited to join a database named "Flood". Its owner chose this name.');
    expect(mail.text).not.toContain('flood.example');
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(23 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(await refused!.json()).toEqual({ error: 'too_many_requests', message: `${ABUSE_LIMITS.invitationsPerDatabase.says} Try again in 24 hours.` });

    // The owner's portal form for the same database draws itself again with the sentence.
    const page = await attackerPortal.request(`${idp.issuer}/my/databases/${flood.id}`);
    const form = await attackerPortal.submit(page, '/invite', { email: 'one-more@example.com' });
    expect(form.status).toBe(429);
    expect(form.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(text(form.body)).toContain(ABUSE_LIMITS.invitationsPerDatabase.says);
    expect(form.body).toContain('Send invitation');
    expect(idp.lastMailTo('one-more@example.com')).toBeUndefined();
  });

  it('limits invitations per owner over all their databases, and pending invitations per database', async () => {
    // A fresh owner, so the other tests' invitations do not count.
    const owner = { email: 'olga-owner@example.com', password: 'owner passphrase 4' };
    await idp.createAccount(owner.email, owner.password, 'Olga');
    const portal = new TestBrowser();
    await signInToPortal(portal, idp.issuer, owner.email, owner.password);
    const one = createdIds(await createInPortal(portal, { name: 'Pending One', url: 'https://one.example' }));
    const two = createdIds(await createInPortal(portal, { name: 'Pending Two', url: 'https://two.example' }));
    const three = createdIds(await createInPortal(portal, { name: 'Pending Three', url: 'https://three.example' }));
    const perDay = ABUSE_LIMITS.invitationsPerDatabase.max;
    const perOwner = ABUSE_LIMITS.invitationsPerOwner.max;
    let sent = 0;
    for (const db of [one, two, three]) {
      const token = await databaseApiToken(db);
      for (let i = 0; i < perDay && sent < perOwner; i++, sent++) expect((await invite(token, `owner-${sent}@example.com`)).status).toBe(201);
    }
    const over = await invite(await databaseApiToken(three), 'owner-over@example.com');
    expect(over.status).toBe(429);
    expect(((await over.json()) as { message: string }).message).toContain(ABUSE_LIMITS.invitationsPerOwner.says);

    // Day after day, the daily limits allow more, until the database has too many waiting for an answer.
    const pendingMax = PENDING_INVITATIONS.perDatabase.max;
    let waiting = perDay;
    for (let day = 1; waiting < pendingMax; day++) {
      advance(24 * 3600 + 60);
      const token = await databaseApiToken(one);
      for (let i = 0; i < perDay && waiting < pendingMax; i++, waiting++) expect((await invite(token, `pending-${day}-${i}@example.com`)).status).toBe(201);
    }
    advance(24 * 3600 + 60);
    const full = await invite(await databaseApiToken(one), 'pending-over@example.com');
    expect(full.status).toBe(429);
    const retryAfter = Number(full.headers.get('retry-after'));
    // Until the oldest of them expires (14 days after it was sent, a few days ago).
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThan(14 * 24 * 3600);
    expect(((await full.json()) as { message: string }).message).toMatch(/^Pending One has 50 invitations waiting for an answer.* Try again in \d+ days?\.$/);
  });

  it('limits the databases an account creates in the portal, then answers 429 on the form', async () => {
    const creator = { email: 'creator@example.com', password: 'blue river phrase 5' };
    await idp.createAccount(creator.email, creator.password, 'Creator');
    const portal = new TestBrowser();
    await signInToPortal(portal, idp.issuer, creator.email, creator.password);
    const max = ABUSE_LIMITS.databaseCreationsPerAccount.max;
    for (let i = 1; i <= max; i++) expect((await createInPortal(portal, { name: `Made ${i}`, url: `https://made-${i}.example` })).status).toBe(201);
    const refused = await createInPortal(portal, { name: 'Made Too Many', url: 'https://too-many.example' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    expect(text(refused.body)).toContain(`${ABUSE_LIMITS.databaseCreationsPerAccount.says} Try again in 24 hours.`);
    expect(refused.body).toContain('value="Made Too Many"');
    expect(await idp.services.databases.findByName('Made Too Many')).toBeUndefined();
  });

  /** Posts the form at `path` from `ip` (X-Forwarded-For, trusted here), as a script would. */
  async function postFrom(ip: string, path: string, fields: Record<string, string>): Promise<PageResponse> {
    const browser = new TestBrowser();
    const page = await browser.request(`${idp.issuer}${path}`, { headers: { 'x-forwarded-for': ip } });
    const { hidden } = findForm(page.body, path);
    return browser.request(`${idp.issuer}${path}`, { form: { ...hidden, ...fields }, headers: { 'x-forwarded-for': ip } });
  }
  /** What the page says, with the address and the per-request CSRF token taken out. */
  const said = (page: PageResponse, address: string) => ({
    status: page.status,
    retryAfter: page.headers.get('retry-after') !== null,
    body: text(page.body).replaceAll(address, '<address>').replace(/name="_csrf" value="[^"]+"/g, ''),
  });

  it('limits sign-ups per address and per network, answering the same whether the address has an account', async () => {
    await idp.createAccount('taken-flood@example.com', 'owner of taken 6', 'Taken');
    const max = ABUSE_LIMITS.signUpsPerAddress.max;
    const answers: Record<string, ReturnType<typeof said>[]> = {};
    for (const [address, ip] of [['fresh-flood@example.com', '192.0.2.10'], ['taken-flood@example.com', '192.0.2.11']] as const) {
      answers[address] = [];
      for (let i = 0; i <= max; i++) answers[address]!.push(said(await postFrom(ip, '/signup', { name: 'Flood', email: address, password: 'flooding passphrase 7' }), address));
    }
    const fresh = answers['fresh-flood@example.com']!;
    expect(fresh.map((a) => a.status)).toEqual([...Array(max).fill(200), 429]);
    expect(fresh.at(-1)!.retryAfter).toBe(true);
    expect(fresh.at(-1)!.body).toContain(`${ABUSE_LIMITS.signUpsPerAddress.says} Try again in`);
    // No account enumeration: the taken address gets exactly the same answers.
    expect(answers['taken-flood@example.com']).toEqual(fresh);
    // And its owner got at most `max` notices.
    expect(idp.mails.filter((m) => m.to === 'taken-flood@example.com')).toHaveLength(max);

    const perIp = ABUSE_LIMITS.signUpsPerIp.max;
    const statuses: number[] = [];
    for (let i = 0; i <= perIp; i++) statuses.push((await postFrom('192.0.2.20', '/signup', { name: 'Net', email: `net-${i}@example.com`, password: 'flooding passphrase 8' })).status);
    expect(statuses).toEqual([...Array(perIp).fill(200), 429]);
    const refused = await postFrom('192.0.2.20', '/signup', { name: 'Net', email: 'net-last@example.com', password: 'flooding passphrase 8' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(text(refused.body)).toContain(`${ABUSE_LIMITS.signUpsPerIp.says} Try again in`);
    expect(await idp.services.accounts.findByEmail('net-last@example.com')).toBeUndefined();
    // Another network is not held back by it.
    expect((await postFrom('192.0.2.21', '/signup', { name: 'Net', email: 'net-other@example.com', password: 'flooding passphrase 8' })).status).toBe(200);
  });

  it('limits password reset mails per address and per network, alike for known and unknown addresses', async () => {
    await idp.createAccount('reset-flood@example.com', 'owner of reset 9', 'Reset');
    const max = ABUSE_LIMITS.resetMailsPerAddress.max;
    const answers: Record<string, ReturnType<typeof said>[]> = {};
    for (const [address, ip] of [['reset-flood@example.com', '192.0.2.30'], ['nobody-flood@example.com', '192.0.2.31']] as const) {
      answers[address] = [];
      for (let i = 0; i <= max; i++) answers[address]!.push(said(await postFrom(ip, '/password/forgot', { email: address }), address));
    }
    const known = answers['reset-flood@example.com']!;
    expect(known.map((a) => a.status)).toEqual([...Array(max).fill(200), 429]);
    expect(known.at(-1)!.retryAfter).toBe(true);
    expect(known.at(-1)!.body).toContain(`${ABUSE_LIMITS.resetMailsPerAddress.says} Try again in`);
    expect(answers['nobody-flood@example.com']).toEqual(known);
    await new Promise((resolve) => setTimeout(resolve, 50)); // reset mails are sent without waiting
    expect(idp.mails.filter((m) => m.to === 'reset-flood@example.com')).toHaveLength(max);

    const perIp = ABUSE_LIMITS.resetMailsPerIp.max;
    const statuses: number[] = [];
    for (let i = 0; i <= perIp; i++) statuses.push((await postFrom('192.0.2.40', '/password/forgot', { email: `reset-net-${i}@example.com` })).status);
    expect(statuses).toEqual([...Array(perIp).fill(200), 429]);
  });
});

