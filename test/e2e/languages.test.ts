/**
 * Two languages against the real IdP (issue 19 item 6): the language of a request comes from the
 * account, the `lang` cookie of the footer switcher, Accept-Language, then IDP_LOCALES' first entry;
 * IDP_LOCALES=en never serves French; mails go out in the recipient's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, findForm } from '../helpers/browser.ts';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
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
