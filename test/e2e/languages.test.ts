/**
 * Two languages against the real IdP (issue 19 item 6): the language of a request comes from the
 * account, the `lang` cookie of the footer switcher, Accept-Language, then IDP_LOCALES' first entry;
 * IDP_LOCALES=en never serves French; mails go out in the recipient's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, findForm } from '../helpers/browser.ts';
import { linkFrom, startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { advance, portalSignIn, resetClock, totp } from '../helpers/security.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';

describe('the language of signed-out pages', () => {
  it('follows Accept-Language: French for fr, fr-CA or a French preference, English otherwise', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(`${idp.issuer}/my/login`);
    const french = await browser.request(login.url, { headers: { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' } });
    expect(french.status).toBe(200);
    expect(french.body).toContain('<html lang="fr">');
    expect(french.body).toContain('<h1>Se connecter</h1>');
    expect(french.body).toContain('Mot de passe oublié\u00a0?');
    expect(french.body).toContain('Créer un compte');
    const english = await browser.request(login.url, { headers: { 'accept-language': 'de-DE, en;q=0.8' } });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('<h1>Sign in</h1>');
    // An error page is French too: another browser has no cookie of this sign-in.
    const expired = await new TestBrowser().request(login.url, { headers: { 'accept-language': 'fr' } });
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('<title>Cela n’a pas fonctionné · Latchkey</title>');
    expect(expired.body).toContain('Cette demande de connexion a expiré ou a déjà abouti.');
  });

  it('has a footer switcher: its form sets the lang cookie and the next page is French', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(`${idp.issuer}/my/login`);
    expect(login.body).toContain('<html lang="en">');
    const path = new URL(login.url).pathname;
    const form = findForm(login.body, '/language');
    expect(form.hidden).toMatchObject({ locale: 'fr', return_to: path });
    const switched = await browser.request(`${idp.issuer}/language`, { method: 'POST', form: form.hidden });
    expect(switched.status).toBe(303);
    expect(switched.location).toBe(`${idp.issuer}${path}`);
    const cookie = switched.headers.getSetCookie().find((c) => c.startsWith('lang='));
    expect(cookie).toMatch(/^lang=fr; path=\/; expires=[^;]+; samesite=lax; httponly$/);
    const days = (new Date(/expires=([^;]+)/.exec(cookie!)![1]!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    const next = await browser.request(switched.location!);
    expect(next.body).toContain('<html lang="fr">');
    expect(next.body).toContain('<h1>Se connecter</h1>');
    // The cookie wins over the browser's Accept-Language; French is now the plain text, English the button.
    const again = await browser.request(switched.location!, { headers: { 'accept-language': 'en' } });
    expect(again.body).toContain('<h1>Se connecter</h1>');
    expect(findForm(again.body, '/language').hidden.locale).toBe('en');
  });

  it('refuses an unknown language and a return address off this site with a sentence (400)', async () => {
    const browser = new TestBrowser();
    const csrf = csrfOf((await browser.request(`${idp.issuer}/signup`)).body);
    const send = (form: Record<string, string>) => browser.request(`${idp.issuer}/language`, { method: 'POST', form: { _csrf: csrf, ...form }, headers: { accept: 'application/json' } });
    for (const [form, message] of [
      [{ locale: 'de', return_to: '/signup' }, 'Choose one of the languages offered.'],
      [{ return_to: '/signup' }, 'Choose a language.'],
      [{ locale: 'fr', return_to: 'https://evil.example/' }, 'The address to return to must be a page of this site.'],
      [{ locale: 'fr', return_to: '//evil.example/' }, 'The address to return to must be a page of this site.'],
      [{ locale: 'fr', return_to: '/\\evil.example' }, 'The address to return to must be a page of this site.'],
    ] as const) {
      const res = await send(form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(JSON.parse(res.body).message, JSON.stringify(form)).toBe(message);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('lang=')), JSON.stringify(form)).toBe(false);
    }
    // Without CSRF it is refused like every form.
    const forged = await browser.request(`${idp.issuer}/language`, { method: 'POST', form: { locale: 'fr', return_to: '/' } });
    expect(forged.status).toBe(403);
    // The sentence is in the page's language: French for a French browser.
    const french = await browser.request(`${idp.issuer}/language`, { method: 'POST', form: { _csrf: csrf, locale: 'de' }, headers: { accept: 'application/json', 'accept-language': 'fr' } });
    expect(JSON.parse(french.body).message).toBe('Choisissez l’une des langues proposées.');
  });
});

describe('the account\'s own language', () => {
  const password = 'correct horse battery staple';

  it('wins once signed in: French pages for an account set to French, whatever the browser asks', async () => {
    const account = await idp.createAccount('marie@example.com', password, 'Marie');
    await idp.services.accountsRepo.update(account.id, { locale: 'fr' }, nowSeconds());
    const browser = new TestBrowser();
    const signedIn = await portalSignIn(idp, browser, account.email, password); // an English sign-in page
    expect(signedIn.url).toContain('/my/account');
    expect(signedIn.body).toContain('<html lang="fr">');
    expect(signedIn.body).toContain('<h1>Informations du compte</h1>');
    expect(signedIn.body).toContain('>Se déconnecter</a>');
    expect(signedIn.body).not.toContain('action="/language"'); // no switcher once signed in
    const page = await browser.request(`${idp.issuer}/my/account`, { headers: { 'accept-language': 'en' } });
    expect(page.body).toContain('<h1>Informations du compte</h1>');
    // A refused form answers in French too (the error handler uses the account's language).
    const refused = await browser.request(`${idp.issuer}/my/account/details`, { method: 'POST', form: { _csrf: csrfOf(page.body), name: '', locale: 'fr', timezone: 'UTC' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('<p class="field-error" id="f-name-error">Saisissez votre nom.</p>');
    // So do the pages oidc-provider draws for a signed-in person: the logout confirmation.
    const logout = await browser.request(`${idp.issuer}/session/end`, { headers: { 'accept-language': 'en' } });
    expect(logout.body).toContain('<html lang="fr">');
    expect(logout.body).toContain('<h1>Se déconnecter\u00a0?</h1>');
    // Choosing English on the account page switches every page back, whatever the cookie says.
    browser.cookies.get(new URL(idp.issuer).host)!.set('lang', 'fr');
    const saved = await browser.submit(page, '/my/account/details', { name: 'Marie', locale: 'en', timezone: 'UTC' });
    expect(saved.body).toContain('<html lang="en">');
    expect(saved.body).toContain('Your details were saved.');
  });

  it('writes the reset mail in the account\'s language, and says the same for an address without an account', async () => {
    const account = await idp.createAccount('jeanne@example.com', password, 'Jeanne');
    await idp.services.accountsRepo.update(account.id, { locale: 'fr' }, nowSeconds());
    const browser = new TestBrowser();
    const forgot = await browser.request(`${idp.issuer}/password/forgot`);
    const sent = await browser.submit(forgot, '/password/forgot', { email: account.email });
    expect(sent.body).toContain('If an account exists for jeanne@example.com'); // the page is the browser's: English
    await expect.poll(() => idp.lastMailTo(account.email)?.subject).toBe('Réinitialiser votre mot de passe');
    const mail = idp.lastMailTo(account.email)!;
    expect(mail.text).toMatch(/^Bonjour Jeanne,\n\nQuelqu’un a demandé la réinitialisation du mot de passe de votre compte\./);
    expect(mail.text).toContain('ignorez ce message\u00a0: votre mot de passe reste inchangé.');
    // The link works, and its page answers in the language of the browser that opens it.
    const link = linkFrom(mail, '/password/reset');
    const page = await browser.request(link, { headers: { 'accept-language': 'fr' } });
    expect(page.body).toContain('<h1>Choisir un nouveau mot de passe</h1>');

    // An unknown address: the same French page as for a known one, and no mail.
    const french = new TestBrowser();
    const form = await french.request(`${idp.issuer}/password/forgot`, { headers: { 'accept-language': 'fr' } });
    const before = idp.mails.length;
    const known = await french.request(`${idp.issuer}/password/forgot`, { method: 'POST', form: { _csrf: csrfOf(form.body), email: account.email }, headers: { 'accept-language': 'fr' } });
    const unknown = await french.request(`${idp.issuer}/password/forgot`, { method: 'POST', form: { _csrf: csrfOf(form.body), email: 'nobody@example.com' }, headers: { 'accept-language': 'fr' } });
    const notice = (body: string) => body.match(/<div class="notice success"[^>]*>([^<]*)</)?.[1]?.replace(/jeanne@example\.com|nobody@example\.com/, 'ADDRESS');
    expect(notice(known.body)).toBe('Si un compte existe pour ADDRESS, nous lui avons envoyé un lien pour réinitialiser le mot de passe. Le lien est valable une heure.');
    expect(notice(unknown.body)).toBe(notice(known.body));
    await expect.poll(() => idp.mails.length).toBe(before + 1);
    expect(idp.mails.some((m) => m.to === 'nobody@example.com')).toBe(false);
  });

  it('is the language of the sign-up page, kept for the account and its confirmation mail', async () => {
    const browser = new TestBrowser();
    const french = { headers: { 'accept-language': 'fr-FR' } };
    const form = await browser.request(`${idp.issuer}/signup`, french);
    expect(form.body).toContain('<h1>Créer un compte</h1>');
    const done = await browser.request(`${idp.issuer}/signup`, { ...french, method: 'POST', form: { _csrf: csrfOf(form.body), name: 'Zoé', email: 'zoe@example.com', password } });
    expect(done.body).toContain('Consultez votre boîte de réception');
    expect((await idp.services.accountsRepo.findByEmail('zoe@example.com'))?.locale).toBe('fr');
    expect(idp.lastMailTo('zoe@example.com')?.subject).toBe('Confirmez votre adresse e-mail');
    // A refused password is said in French, beside its field.
    const weak = await browser.request(`${idp.issuer}/signup`, { ...french, method: 'POST', form: { _csrf: csrfOf(form.body), name: 'Zoé', email: 'zoe2@example.com', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain('<p class="field-error" id="f-password-error">Utilisez au moins 8\u00a0caractères.</p>');
  });
});

describe('IDP_LOCALES=en', () => {
  let english: TestIdp;
  beforeAll(async () => {
    english = await startTestIdp({ IDP_LOCALES: 'en' });
  });
  afterAll(async () => {
    await english?.close();
  });

  it('never serves French, draws no switcher and refuses to switch', async () => {
    const browser = new TestBrowser();
    browser.cookies.set(new URL(english.issuer).host, new Map([['lang', 'fr']]));
    const login = await browser.follow(`${english.issuer}/my/login`);
    const page = await browser.request(login.url, { headers: { 'accept-language': 'fr' } });
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('<h1>Sign in</h1>');
    expect(page.body).not.toContain('/language');
    const switched = await browser.request(`${english.issuer}/language`, { method: 'POST', form: { _csrf: csrfOf(page.body), locale: 'fr', return_to: '/' }, headers: { 'accept-language': 'fr' } });
    expect(switched.status).toBe(400);
    expect(switched.body).toContain('Choose one of the languages offered.');
  });
});

describe('Connection & Security in French', () => {
  const password = 'correct horse battery staple';

  it('draws the security page, two-factor setup, re-authentication and account deletion in the account\'s French', async () => {
    const account = await idp.createAccount('securite@example.com', password, 'Sécurité');
    await idp.services.accountsRepo.update(account.id, { locale: 'fr', timezone: 'Europe/Paris' }, nowSeconds());
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, account.email, password);
    try {
      const security = await browser.request(`${idp.issuer}/my/security`, { headers: { 'accept-language': 'en' } });
      expect(security.body).toContain('<h1>Connexion et sécurité</h1>');
      expect(security.body).toContain('<h2 id="devices">Appareils connectés</h2>');
      expect(security.body).toContain('Activez l’authentification à deux facteurs.'); // a recommendation, worded on the page
      expect(security.body).toMatch(/Dernière modification le \d{1,2} [a-zéû.]+ \d{4}, \d{2}:\d{2} \(Europe\/Paris\) \(il y a 0\u00a0jour\)\./);
      for (const english of ['Signed-in devices', 'Change password', 'Log out from all devices', 'Recent security activity', ' UTC</td>']) {
        expect(security.body).not.toContain(english);
      }

      // Two-factor setup: the enrollment page, a refused code beside its field, the recovery codes.
      const enroll = await browser.submit(security, '/my/security/2fa/start', {});
      expect(enroll.body).toContain('<h1>Activer l’authentification à deux facteurs</h1>');
      expect(enroll.body).not.toContain('Scan this QR code');
      const secret = enroll.body.match(/id="totp-secret">([A-Z2-7]+)</)![1]!;
      const refused = await browser.submit(enroll, '/my/security/2fa/confirm', { code: '12' });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('<p class="field-error" id="f-code-error">Saisissez le code à 6 chiffres affiché par votre application.</p>');
      const codes = await browser.submit(refused, '/my/security/2fa/confirm', { code: totp(secret) });
      expect(codes.body).toContain('<h1>L’authentification à deux facteurs est activée</h1>');
      expect(codes.body).not.toContain('Save these recovery codes');

      // Eleven minutes later a sensitive action asks again, in French, with its errors in French.
      advance(11 * 60);
      const later = await browser.request(`${idp.issuer}/my/security`);
      expect(later.body).toContain('<strong>Activée.</strong> La connexion demande un code');
      const ask = await browser.submit(later, '/my/security/devices/logout-others', {});
      expect(ask.status).toBe(401);
      expect(ask.body).toContain('<h1>Confirmez votre identité</h1>');
      expect(ask.body).toContain('Pour vous déconnecter de tous les autres appareils, saisissez votre mot de passe et un code de votre application d’authentification.');
      expect(ask.body).not.toContain('enter your password');
      const wrong = await browser.submit(ask, '/my/security/devices/logout-others', { reauth_password: 'not my password at all', reauth_code: totp(secret) });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toContain('Ce mot de passe est incorrect.');
      expect(wrong.body).not.toContain('That password is not correct.');
      const done = await browser.submit(wrong, '/my/security/devices/logout-others', { reauth_password: password, reauth_code: totp(secret) });
      expect(done.body).toContain('Tous les autres appareils ont été déconnectés.');

      // Account deletion: the page, a service's refusal, and the last page.
      const del = await browser.request(`${idp.issuer}/my/security/delete`);
      expect(del.body).toContain('<h1>Supprimer votre compte</h1>');
      expect(del.body).not.toContain('This is irreversible.');
      const mistyped = await browser.submit(del, '/my/security/delete', { confirm_email: 'someone@example.com' });
      expect(mistyped.status).toBe(400);
      expect(mistyped.body).toContain('Saisissez exactement l’adresse e-mail de votre compte pour confirmer.');
      const gone = await browser.submit(mistyped, '/my/security/delete', { confirm_email: account.email });
      expect(gone.body).toContain('<h1>Votre compte a été supprimé</h1>');
      expect(gone.body).not.toContain('Create a new account');
    } finally {
      resetClock();
    }
  });
});
