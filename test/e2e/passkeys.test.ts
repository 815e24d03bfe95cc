/**
 * Passkeys over HTTP, with the real IdP and a software authenticator (test/helpers/webauthn.ts) that
 * makes real WebAuthn answers: add one on Connection & Security, sign in to the portal with it alone,
 * open a database by SSO and read amr/acr in its ID token, confirm it is you with it, and every bad
 * input (malformed JSON, wrong origin or rp id, unknown credential, reused or expired challenge, a
 * cloned counter) refused with a 4xx and a sentence, nothing stored. This file runs on both engines
 * (the browser suite, passkeys-browser.test.ts, drives Chromium's virtual authenticator).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { linkFrom, startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { advance, resetClock } from '../helpers/security.ts';
import { softAuthenticator } from '../helpers/webauthn.ts';

let idp: TestIdp;
const password = 'correct horse battery staple';

beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});
afterEach(() => resetClock());

/** JSON answers (WebAuthn options, errors), read loosely. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read options and errors field by field
type Json = Record<string, any>;

const csrfOf = (page: PageResponse) => page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
const decode = (s: string) => s.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

async function portal(email: string): Promise<{ browser: TestBrowser; csrf: string }> {
  const browser = new TestBrowser();
  const login = await browser.follow(`${idp.issuer}/my/login`);
  const done = await browser.submit(login, '/login', { email, password });
  expect(done.status, done.body.slice(0, 300)).toBe(200);
  // /my/account: the page every signed-in account may open, confirmed or not.
  const security = await browser.request(`${idp.issuer}/my/account`);
  return { browser, csrf: csrfOf(security) };
}

async function jsonPost(browser: TestBrowser, url: string, csrf: string): Promise<{ status: number; json: Json }> {
  const res = await browser.request(url, { method: 'POST', form: { _csrf: csrf }, headers: { accept: 'application/json' } });
  return { status: res.status, json: JSON.parse(res.body) as Json };
}

async function addPasskey(browser: TestBrowser, csrf: string, authenticator = softAuthenticator({ origin: idp.issuer }), name = 'Laptop') {
  const options = await jsonPost(browser, `${idp.issuer}/my/security/passkeys/options`, csrf);
  expect(options.status, JSON.stringify(options.json)).toBe(200);
  const res = await browser.request(`${idp.issuer}/my/security/passkeys`, { form: { _csrf: csrf, name, response: JSON.stringify(authenticator.register(options.json as never)) } });
  return { authenticator, options: options.json, res };
}

/** Opens the sign-in page of an authorization (the portal's unless `start` is given); returns it with its passkey options. */
async function signInPage(browser: TestBrowser, start = `${idp.issuer}/my/login`) {
  const page = await browser.follow(start);
  expect(page.url).toContain('/interaction/');
  const uid = page.url.match(/\/interaction\/([^/?#]+)/)![1]!;
  const csrf = csrfOf(page);
  const options = await jsonPost(browser, `${idp.issuer}/interaction/${uid}/passkey/options`, csrf);
  return { page, uid, csrf, options: options.json };
}

const postAssertion = (browser: TestBrowser, uid: string, csrf: string, response: unknown) =>
  browser.request(`${idp.issuer}/interaction/${uid}/passkey`, { form: { _csrf: csrf, response: typeof response === 'string' ? response : JSON.stringify(response) } });

const countPasskeys = async (accountId: string) => (await idp.services.passkeys.list(accountId)).length;

describe('passkeys over HTTP', () => {
  it('adds a passkey on Connection & Security (mail, audit), lists it, and signs in to the portal with it alone', async () => {
    const email = 'pk-ada@example.com';
    const { id } = await idp.createAccount(email, password, 'Ada');
    const { browser, csrf } = await portal(email);
    const before = await browser.request(`${idp.issuer}/my/security`);
    expect(before.body).toContain('id="passkeys"');
    expect(before.body).toContain('data-passkey-register');
    // Without JavaScript (or WebAuthn) the passkey controls stay hidden; the script shows them.
    expect(before.body).toMatch(/<form[^>]*data-passkey-register[^>]*hidden/);
    expect(before.body).toContain('src="/static/passkeys.js"');
    expect(before.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(before.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(decode(before.body)).toContain('Add a passkey: sign in with your fingerprint');
    const script = await fetch(`${idp.issuer}/static/passkeys.js`);
    expect(script.headers.get('content-type')).toContain('javascript');

    const { options, res } = await addPasskey(browser, csrf);
    expect(options.rp.id).toBe('localhost');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(res.status).toBe(303);
    expect(res.location).toContain('done=passkey-added');
    const after = await browser.request(`${idp.issuer}/my/security`);
    expect(after.body).toContain('value="Laptop"');
    expect(after.body).toContain('This device only');
    expect(idp.lastMailTo(email)?.subject).toBe('A passkey was added to your account');
    expect((await idp.services.audit.listForAccount(id)).map((e) => e.event)).toContain('passkey.added');
    expect((await idp.services.security.status.securityStatus(id))!.passkeys).toBe(1);

    // A new browser: no email, no password, only the passkey.
    const authenticator = (await addPasskeyFor(email)).authenticator;
    const fresh = new TestBrowser();
    const { uid, csrf: loginCsrf, options: request, page } = await signInPage(fresh);
    expect(page.body).toContain('Sign in with a passkey');
    expect(page.body).toMatch(/<form[^>]*data-passkey-signin[^>]*hidden/);
    expect(page.body).toContain('autocomplete="username webauthn"');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(request.allowCredentials ?? []).toEqual([]);
    expect(JSON.stringify(request)).not.toContain(email);
    const signedIn = await postAssertion(fresh, uid, loginCsrf, authenticator.assert(request as never));
    expect(signedIn.status).toBe(303);
    const home = await fresh.follow(signedIn.location!);
    expect(home.url).toContain('/my/account');
    expect(home.body).toContain(email);
    const events = await idp.services.audit.listForAccount(id);
    expect(events.find((e) => e.event === 'signin.succeeded')?.data).toMatchObject({ amr: ['hwk', 'user', 'pop'] });
  });

  it('opens a database through SSO with a passkey: amr and acr in its ID token, membership rules unchanged', async () => {
    const email = 'pk-olivia@example.com';
    const { id } = await idp.createAccount(email, password, 'Olivia');
    const { authenticator } = await addPasskeyFor(email, true);
    const url = 'http://localhost:9';
    const created = await idp.services.databases.create(id, { name: 'Passkey Acme', url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }, { kind: 'account', accountId: id });
    const config = await oidc.discovery(new URL(idp.issuer), created.clientId, created.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().acr_values_supported).toEqual(expect.arrayContaining(['phr', 'phrh']));
    const verifier = oidc.randomPKCECodeVerifier();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${url}/callback`, scope: 'openid email profile', state: 's', nonce: 'n',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const { uid, csrf, options, page } = await signInPage(browser, authUrl.toString());
    expect(page.body).toContain('Sign-in login');
    const answer = await postAssertion(browser, uid, csrf, authenticator.assert(options as never));
    const back = await browser.follow(answer.location!, { stopAt: (u) => u.origin === url });
    expect(back.location, back.body.slice(0, 400)).toContain(`${url}/callback`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
    expect(tokens.claims()).toMatchObject({ sub: id, login: email, role: 'owner', amr: ['swk', 'user', 'pop'], acr: 'phr' });

    // The database asks for a passkey (acr_values=phr): a password session is asked to sign in again,
    // a password is refused there, the passkey passes; a request for a device-bound one refuses this synced one.
    const withPassword = new TestBrowser();
    const portalLogin = await withPassword.follow(`${idp.issuer}/my/login`);
    await withPassword.submit(portalLogin, '/login', { email, password });
    const strict = async (acr: string) => {
      const v = oidc.randomPKCECodeVerifier();
      const u = oidc.buildAuthorizationUrl(config, { redirect_uri: `${url}/callback`, scope: 'openid', state: 'a', acr_values: acr, code_challenge: await oidc.calculatePKCECodeChallenge(v), code_challenge_method: 'S256' });
      return { v, u: u.toString() };
    };
    const phr = await strict('phr');
    const asked = await signInPage(withPassword, phr.u);
    expect(decode(asked.page.body)).toContain('Passkey Acme asks you to sign in with a passkey, not a password.');
    const typed = await withPassword.submit(asked.page, '/login', { email, password });
    expect(typed.status).toBe(403);
    expect(decode(typed.body)).toContain('asks you to sign in with a passkey');
    const withKey = await postAssertion(withPassword, asked.uid, asked.csrf, authenticator.assert(asked.options as never));
    const strictBack = await withPassword.follow(withKey.location!, { stopAt: (u) => u.origin === url });
    const strictTokens = await oidc.authorizationCodeGrant(config, new URL(strictBack.location!), { pkceCodeVerifier: phr.v, expectedState: 'a' });
    expect(strictTokens.claims()).toMatchObject({ acr: 'phr', amr: ['swk', 'user', 'pop'] });
    const phrh = await strict('phrh');
    const b3 = new TestBrowser();
    const hardware = await signInPage(b3, phrh.u);
    expect(decode(hardware.page.body)).toContain('asks you to sign in with a passkey kept on one device');
    const synced = await postAssertion(b3, hardware.uid, hardware.csrf, authenticator.assert(hardware.options as never));
    expect(synced.status).toBe(403);
    expect(decode(synced.body)).toContain('not a synced one');

    // A non-member's passkey signs in to the IdP but the database refuses it, as after a password.
    const stranger = 'pk-stranger@example.com';
    await idp.createAccount(stranger, password);
    const strangerKey = (await addPasskeyFor(stranger)).authenticator;
    const other = new TestBrowser();
    const verifier2 = oidc.randomPKCECodeVerifier();
    const url2 = oidc.buildAuthorizationUrl(config, { redirect_uri: `${url}/callback`, scope: 'openid', state: 't', code_challenge: await oidc.calculatePKCECodeChallenge(verifier2), code_challenge_method: 'S256' });
    const second = await signInPage(other, url2.toString());
    const refused = await postAssertion(other, second.uid, second.csrf, strangerKey.assert(second.options as never));
    const stop = await other.follow(refused.location!, { stopAt: (u) => u.origin === url });
    expect(stop.status).toBe(403);
  });

  it('counts a passkey sign-in as a recent sign-in, and confirms it is you with a passkey later', async () => {
    const email = 'pk-reauth@example.com';
    const { id } = await idp.createAccount(email, password);
    const { browser, csrf } = await portal(email);
    const first = await addPasskey(browser, csrf, undefined, 'First');
    expect(first.res.status).toBe(303);
    const second = await addPasskey(browser, csrf, undefined, 'Second');
    expect(second.res.status).toBe(303);
    const one = (await idp.services.passkeys.list(id)).find((p) => p.name === 'First');
    advance(11 * 60);
    const stale = await browser.request(`${idp.issuer}/my/security/passkeys/${one!.id}/delete`, { form: { _csrf: csrf } });
    expect(stale.status).toBe(401);
    expect(stale.body).toContain('Use a passkey instead');
    expect(stale.body).toContain('data-passkey-reauth');
    const options = await jsonPost(browser, `${idp.issuer}/my/security/passkeys/reauth-options`, csrf);
    expect(options.json.allowCredentials).toHaveLength(2);
    // The wrong answer (a passkey of another account) is refused, nothing deleted.
    const foreign = softAuthenticator({ origin: idp.issuer });
    foreign.register({ challenge: 'x'.repeat(43), user: { id: 'dXNlcg' } });
    const wrong = await browser.request(`${idp.issuer}/my/security/passkeys/${one!.id}/delete`, { form: { _csrf: csrf, reauth_passkey: JSON.stringify(foreign.assert(options.json as never)) } });
    expect(wrong.status).toBe(401);
    expect(decode(wrong.body)).toContain("not one of your account's passkeys");
    expect(await countPasskeys(id)).toBe(2);
    const again = await jsonPost(browser, `${idp.issuer}/my/security/passkeys/reauth-options`, csrf);
    const done = await browser.request(`${idp.issuer}/my/security/passkeys/${one!.id}/delete`, { form: { _csrf: csrf, reauth_passkey: JSON.stringify(second.authenticator.assert(again.json as never)) } });
    expect(done.status, done.body.slice(0, 500)).toBe(303);
    expect(await countPasskeys(id)).toBe(1);
    expect(idp.lastMailTo(email)?.subject).toBe('A passkey was removed from your account');

    // Signed in with the passkey: the session is recent, a sensitive action runs at once.
    const fresh = new TestBrowser();
    const login = await signInPage(fresh);
    const signedIn = await postAssertion(fresh, login.uid, login.csrf, second.authenticator.assert(login.options as never));
    await fresh.follow(signedIn.location!);
    const page = await fresh.request(`${idp.issuer}/my/security`);
    const renamed = await fresh.request(`${idp.issuer}/my/security/passkeys/options`, { method: 'POST', form: { _csrf: csrfOf(page) }, headers: { accept: 'application/json' } });
    expect(renamed.status).toBe(200);
  });
});

describe('passkeys in the security activity and under a lockdown', () => {
  it('shows passkey events in the activity, and refuses a passkey sign-in while the account is locked down', async () => {
    const email = 'pk-lockdown@example.com';
    await idp.createAccount(email, password);
    const { authenticator } = await addPasskeyFor(email, false, 'Desk key');
    const fresh = new TestBrowser();
    const login = await signInPage(fresh);
    const signedIn = await postAssertion(fresh, login.uid, login.csrf, authenticator.assert(login.options as never));
    await fresh.follow(signedIn.location!);
    const activity = decode((await fresh.request(`${idp.issuer}/my/security/activity`)).body);
    expect(activity).toContain('A passkey was added ("Desk key").');
    expect(activity).toContain('Signed in with a passkey.');
    const security = await fresh.request(`${idp.issuer}/my/security`);
    const exported = await fresh.request(`${idp.issuer}/my/security/export`, { form: { _csrf: csrfOf(security) } });
    expect(exported.status, exported.body.slice(0, 300)).toBe(200);
    const data = JSON.parse(exported.body) as { passkeys: { name: string; synced: boolean }[] };
    expect(data.passkeys).toEqual([expect.objectContaining({ name: 'Desk key', synced: false })]);
    expect(exported.body).not.toContain(Buffer.from(authenticator.passkey.credentialId).toString('base64url'));

    const account = (await idp.services.accounts.findByEmail(email))!;
    await idp.services.security.lockdown.lockDown(account, 'portal');
    const other = new TestBrowser();
    const again = await signInPage(other);
    const refused = await postAssertion(other, again.uid, again.csrf, authenticator.assert(again.options as never));
    expect(refused.status).toBe(403);
    expect(decode(refused.body)).toContain('This account was secured after a report that someone else used it.');
  });
});

describe('a password reset (account recovery) and passkeys', () => {
  it('lists the passkeys on the reset form, ticked for removal, removes the ticked ones and names both in the mail', async () => {
    const email = 'pk-reset@example.com';
    const { id } = await idp.createAccount(email, password);
    const keep = await addPasskeyFor(email, false, 'Mine');
    await addPasskeyFor(email, false, 'Planted');
    const listed = await idp.services.passkeys.list(id);
    const mine = listed.find((p) => p.name === 'Mine');
    const planted = listed.find((p) => p.name === 'Planted');
    // The form is signed out, yet the passkeys' dates are the account's: in its time zone.
    await idp.services.accountsRepo.update(id, { timezone: 'Asia/Tokyo' }, Math.floor(Date.now() / 1000));
    const browser = new TestBrowser();
    const forgot = await browser.follow(`${idp.issuer}/password/forgot`);
    await browser.submit(forgot, '/password/forgot', { email });
    const link = linkFrom(idp.lastMailTo(email), '/password/reset');
    const form = await browser.request(link);
    expect(form.status).toBe(200);
    for (const p of [mine!, planted!]) expect(form.body).toMatch(new RegExp(`<input type="checkbox" name="remove_passkey" value="${p.id}" checked`));
    expect(decode(form.body)).toContain('Remove "Planted"');
    expect(decode(form.body)).toMatch(/Remove "Planted" \(added [^)]*\(Asia\/Tokyo\), last used/);

    const bad = await browser.request(`${idp.issuer}/password/reset`, { form: { _csrf: csrfOf(form), token: link.searchParams.get('token')!, password: 'a brand new passphrase', remove_passkey: 'nonsense' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('A passkey named in the form does not exist');
    expect(await countPasskeys(id)).toBe(2);

    // The owner unticks their own passkey: only the planted one goes.
    const done = await browser.request(`${idp.issuer}/password/reset`, { form: { _csrf: csrfOf(form), token: link.searchParams.get('token')!, password: 'a brand new passphrase', remove_passkey: planted!.id } });
    expect(done.status, done.body.slice(0, 500)).toBe(200);
    expect(decode(done.body)).toContain('Passkeys removed: "Planted".');
    expect((await idp.services.passkeys.list(id)).map((p) => p.name)).toEqual(['Mine']);
    const mail = idp.lastMailTo(email)!;
    expect(mail.subject).toBe('Your password was changed');
    expect(mail.text).toContain('Passkeys removed: "Planted".');
    expect(mail.text).toContain('Passkeys kept (they can still sign in): "Mine".');
    // The kept passkey still signs in.
    const fresh = new TestBrowser();
    const login = await signInPage(fresh);
    expect((await postAssertion(fresh, login.uid, login.csrf, keep.authenticator.assert(login.options as never))).status).toBe(303);
  });
});

describe('bad passkey input over HTTP: a 4xx with a sentence, nothing stored', () => {
  let email: string;
  let accountId: string;
  let browser: TestBrowser;
  let csrf: string;
  let authenticator: ReturnType<typeof softAuthenticator>;

  beforeAll(async () => {
    email = 'pk-bad@example.com';
    accountId = (await idp.createAccount(email, password)).id;
    ({ browser, csrf } = await portal(email));
    ({ authenticator } = await addPasskey(browser, csrf));
  });

  async function registerWith(response: string): Promise<PageResponse> {
    return browser.request(`${idp.issuer}/my/security/passkeys`, { form: { _csrf: csrf, name: 'Bad', response } });
  }

  it('refuses bad registrations: malformed JSON, wrong shape, wrong origin, wrong rp id, reused and expired challenges', async () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['malformed JSON', async () => '{"id": ', /not valid JSON/],
      ['wrong shape', async () => JSON.stringify({ id: 'abc', type: 'password' }), /passkey answer/],
      ['wrong origin', async () => JSON.stringify(softAuthenticator({ origin: idp.issuer }).register((await jsonPost(browser, `${idp.issuer}/my/security/passkeys/options`, csrf)).json as never, { origin: 'https://evil.example' })), /made for another site/],
      ['wrong rp id', async () => JSON.stringify(softAuthenticator({ origin: idp.issuer }).register((await jsonPost(browser, `${idp.issuer}/my/security/passkeys/options`, csrf)).json as never, { rpId: 'evil.example' })), /relying party id/],
      ['unknown challenge', async () => JSON.stringify(softAuthenticator({ origin: idp.issuer }).register({ challenge: 'A'.repeat(43), user: { id: 'dXNlcg' } })), /expired or was already used/],
    ];
    for (const [name, make, message] of cases) {
      const res = await registerWith(await make());
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(decode(res.body), name).toMatch(message);
    }
    // Reused: a good answer works once.
    const options = (await jsonPost(browser, `${idp.issuer}/my/security/passkeys/options`, csrf)).json;
    const good = JSON.stringify(softAuthenticator({ origin: idp.issuer }).register(options as never));
    expect((await registerWith(good)).status).toBe(303);
    const replay = await registerWith(good);
    expect(replay.status).toBe(400);
    expect(decode(replay.body)).toContain('expired or was already used');
    // Expired: 5 minutes.
    const late = (await jsonPost(browser, `${idp.issuer}/my/security/passkeys/options`, csrf)).json;
    advance(5 * 60 + 5);
    // (the portal session is no longer recent either: confirm with the password in the same post)
    const expired = await browser.request(`${idp.issuer}/my/security/passkeys`, { form: { _csrf: csrf, reauth_password: password, response: JSON.stringify(softAuthenticator({ origin: idp.issuer }).register(late as never)) } });
    expect(expired.status).toBe(400);
    expect(decode(expired.body)).toContain('expired or was already used');
    expect(await countPasskeys(accountId)).toBe(2);
  });

  it('refuses bad sign-ins: malformed JSON, wrong origin, wrong rp id, unknown credential, reused and expired challenges', async () => {
    const stranger = softAuthenticator({ origin: idp.issuer });
    stranger.register({ challenge: 'x'.repeat(43), user: { id: 'dXNlcg' } });
    const cases: [string, (options: Json) => unknown, number, RegExp][] = [
      ['malformed JSON', () => '{"id": ', 400, /not valid JSON/],
      ['empty answer', () => '', 400, /no answer from it was sent/],
      ['wrong origin', (o) => authenticator.assert(o as never, { origin: 'https://evil.example' }), 400, /made for another site/],
      ['wrong rp id', (o) => authenticator.assert(o as never, { rpId: 'evil.example' }), 400, /relying party id/],
      ['unknown credential', (o) => stranger.assert(o as never), 401, /not registered here/],
      ['unknown challenge', () => authenticator.assert({ challenge: 'B'.repeat(43) }), 400, /expired or was already used/],
    ];
    for (const [name, make, status, message] of cases) {
      const b = new TestBrowser();
      const { uid, csrf: c, options } = await signInPage(b);
      const res = await postAssertion(b, uid, c, make(options));
      expect(res.status, name).toBe(status);
      expect(decode(res.body), name).toMatch(message);
      expect(res.body, name).toContain('Sign in with a passkey'); // the sign-in form again
    }
    // Reused: a right answer signs in once; replayed in another browser's interaction it is refused.
    const b1 = new TestBrowser();
    const first = await signInPage(b1);
    const answer = authenticator.assert(first.options as never);
    expect((await postAssertion(b1, first.uid, first.csrf, answer)).status).toBe(303);
    const b2 = new TestBrowser();
    const second = await signInPage(b2);
    const replay = await postAssertion(b2, second.uid, second.csrf, answer);
    expect(replay.status).toBe(400);
    expect(decode(replay.body)).toContain('expired or was already used');
    // Expired.
    const b3 = new TestBrowser();
    const third = await signInPage(b3);
    advance(5 * 60 + 5);
    const late = await postAssertion(b3, third.uid, third.csrf, authenticator.assert(third.options as never));
    expect(late.status).toBe(400);
    expect(decode(late.body)).toContain('expired or was already used');
  });

  it('refuses a passkey for an account whose email is not confirmed', async () => {
    const unconfirmed = 'pk-unconfirmed@example.com';
    await idp.services.accounts.signUp({ email: unconfirmed, password, name: 'Not Yet' }, { sendVerification: false, verified: false });
    const { browser: b, csrf: c } = await portal(unconfirmed);
    const refused = await jsonPost(b, `${idp.issuer}/my/security/passkeys/options`, c);
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('Confirm your email address first');
  });

  it('refuses a cloned-counter answer and logs it', async () => {
    const b = new TestBrowser();
    const { uid, csrf: c, options } = await signInPage(b);
    const stored = authenticator.passkey.counter;
    const res = await postAssertion(b, uid, c, authenticator.assert(options as never, { counter: Math.max(0, stored - 1) }));
    expect(res.status).toBe(401);
    expect(decode(res.body)).toContain('signature counter went backwards');
    const events = await idp.services.audit.listForAccount(accountId);
    expect(events.find((e) => e.event === 'passkey.counter_regression')).toBeTruthy();
  });

  it('refuses bad rename and delete input, and options without CSRF or outside a sign-in', async () => {
    const [passkey] = await idp.services.passkeys.list(accountId);
    const long = await browser.request(`${idp.issuer}/my/security/passkeys/${passkey!.id}/rename`, { form: { _csrf: csrf, name: 'x'.repeat(61) } });
    expect(long.status).toBe(400);
    expect(long.body).toContain('at most 60 characters');
    const empty = await browser.request(`${idp.issuer}/my/security/passkeys/${passkey!.id}/rename`, { form: { _csrf: csrf, name: ' ' } });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('Enter a name for the passkey.');
    const unknown = await browser.request(`${idp.issuer}/my/security/passkeys/pk_doesnotexist1/rename`, { form: { _csrf: csrf, name: 'x' } });
    expect(unknown.status).toBe(404);
    const badId = await browser.request(`${idp.issuer}/my/security/passkeys/nonsense/delete`, { form: { _csrf: csrf } });
    expect(badId.status).toBe(404);
    expect(badId.body).toContain('That passkey does not exist');
    const noCsrf = await browser.request(`${idp.issuer}/my/security/passkeys/options`, { method: 'POST', form: {}, headers: { accept: 'application/json' } });
    expect(noCsrf.status).toBe(403);
    expect(JSON.parse(noCsrf.body).message).toContain('Reload the page');
    const signedOut = await new TestBrowser().request(`${idp.issuer}/my/security/passkeys/options`, { method: 'POST', form: { _csrf: 'x' }, headers: { accept: 'application/json' } });
    expect(signedOut.status).toBeGreaterThanOrEqual(400);
    expect(signedOut.status).toBeLessThan(500);
    const renamed = await browser.request(`${idp.issuer}/my/security/passkeys/${passkey!.id}/rename`, { form: { _csrf: csrf, name: 'Work laptop' } });
    expect(renamed.status).toBe(303);
    expect((await idp.services.passkeys.list(accountId)).find((p) => p.id === passkey!.id)!.name).toBe('Work laptop');
  });
});

/** Seeds a passkey for `email` through the service (the HTTP path is tested above), returning its authenticator. */
async function addPasskeyFor(email: string, synced = false, name = 'Seeded') {
  const account = (await idp.services.accounts.findByEmail(email))!;
  const authenticator = softAuthenticator({ origin: idp.issuer, backupEligible: synced });
  const options = await idp.services.passkeys.registrationOptions(account, 'seed-session');
  await idp.services.passkeys.register(account, 'seed-session', authenticator.register(options as never), name);
  return { authenticator };
}

