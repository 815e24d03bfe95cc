/**
 * The absolute session lifetime (ASVS 7.3.2, security/session-lifetime.ts): a session used every few
 * days by single sign-on still ends 14 days after its sign-in. The portal then asks to sign in again,
 * and a database's /auth asks for the sign-in (login_required with prompt=none) instead of signing in
 * silently. A session still stored past the bound (saved before the bound existed) is refused the same
 * way, and signing in again renews it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { nowSeconds } from '../../idp/src/clock.ts';
import { SESSION_MAX_AGE_SECONDS } from '../../idp/src/security/session-lifetime.ts';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { advance, portalSignIn } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ resetClock: true });
const password = 'correct horse battery staple';
const day = 24 * 3600;
const atRedirect = (u: URL) => u.origin === 'http://127.0.0.1:9';
let client: SeededClient;
let config: oidc.Configuration;

beforeAll(async () => {
  // A first-party database (consent is silent, as for every database).
  client = await seedClient(idp, { first_party: true });
  config = await discoverClient(idp, client);
});

/** The database's authorization request, followed until it leaves the IdP or an IdP page answers. */
async function authorize(browser: TestBrowser, prompt?: 'none'): Promise<PageResponse> {
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri, scope: 'openid email', state: oidc.randomState(),
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  });
  return browser.follow(url, { stopAt: atRedirect });
}

const redirectParams = (page: PageResponse) => Object.fromEntries(new URL(page.location ?? 'http://none/').searchParams);

async function portalStatus(browser: TestBrowser): Promise<number> {
  return (await browser.request(`${idp.issuer}/my/account`)).status;
}

describe('the absolute session lifetime', () => {
  it('ends a session used every few days 14 days after its sign-in: portal and database ask to sign in again', async () => {
    const email = 'every-few-days@example.com';
    await idp.createAccount(email, password);
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, email, password);
    expect(redirectParams(await authorize(browser))).toHaveProperty('code');

    // Single sign-on every 3 days re-saves the session; each time it is still signed in.
    for (let elapsed = 3; elapsed <= 12; elapsed += 3) {
      advance(3 * day);
      const silent = await authorize(browser, 'none');
      expect({ elapsed, ...redirectParams(silent) }).toMatchObject({ elapsed, code: expect.any(String) });
      expect(await portalStatus(browser)).toBe(200);
    }

    advance(2 * day + 60); // 14 days and a minute after the sign-in, 2 days after the last use
    const portal = await browser.request(`${idp.issuer}/my/account`);
    expect(portal.status).toBe(302);
    expect(portal.location).toContain('/my/login');
    expect((await browser.follow(portal.location!)).body).toContain('Sign in');
    expect(redirectParams(await authorize(browser, 'none'))).toMatchObject({ error: 'login_required' });
    const asked = await authorize(browser);
    expect(asked.status).toBe(200);
    expect(asked.url).toContain('/interaction/');
    expect(asked.body).toContain('Sign in');

    // Signing in again starts a new 14 days.
    const again = await browser.submit(asked, '/login', { email, password }, { stopAt: atRedirect });
    expect(redirectParams(again)).toHaveProperty('code');
    expect(await portalStatus(browser)).toBe(200);
    advance(13 * day);
    expect(redirectParams(await authorize(browser, 'none'))).toHaveProperty('code');
  });

  it('refuses a session still stored past the bound, and signing in again renews that same session', async () => {
    const email = 'stored-too-long@example.com';
    const { id } = await idp.createAccount(email, password);
    const laptop = new TestBrowser();
    const phone = new TestBrowser();
    for (const browser of [laptop, phone]) {
      await portalSignIn(idp, browser, email, password);
      expect(redirectParams(await authorize(browser))).toHaveProperty('code');
    }
    // As a session saved before the bound existed: signed in 15 days ago, its expiry slid with each use.
    const provider = idp.services.providers.get();
    const uids: string[] = [];
    for (const browser of [laptop, phone]) {
      const session = (await provider.Session.find(browser.cookies.get(new URL(idp.issuer).host)!.get('_session')!))!;
      session.loginTs = nowSeconds() - SESSION_MAX_AGE_SECONDS - day;
      await session.save(day);
      uids.push(session.uid);
    }

    // The authorization endpoint's own check, not a missing session: the session is still there.
    expect(redirectParams(await authorize(phone, 'none'))).toEqual(expect.objectContaining({
      error: 'login_required', error_description: 'the sign-in is older than the session lifetime',
    }));

    const portal = await laptop.request(`${idp.issuer}/my/security`);
    expect(portal.status).toBe(302);
    const signIn = await laptop.follow(portal.location!);
    expect(signIn.url).toContain('/interaction/');
    const back = await laptop.submit(signIn, '/login', { email, password });
    expect(back.status).toBe(200);
    expect(back.url).toContain('/my/security');
    // The same browser session goes on (oidc-provider resumes the sign-in on it), now with a fresh sign-in.
    expect(await idp.services.security.sessions.hasSession(id, uids[0]!)).toBe(true);
    expect(redirectParams(await authorize(laptop, 'none'))).toHaveProperty('code');
  });
});
