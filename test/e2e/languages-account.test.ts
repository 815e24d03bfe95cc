/**
 * Account Information and Connection & Security in French (issue 19 item 6), against the real IdP, for
 * an account whose language is French (whatever the browser asks): a refused email change and a refused
 * "resend the link" in French, the developer mode and passkeys sections with a passkey's dates in the
 * account's time zone, the re-authentication page's passkey button and the sentences passkeys.js shows,
 * and the portal's sign-in callback refusing a stale link in French.
 */
import { describe, expect, it } from 'vitest';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { advance, portalSignIn } from '../helpers/security.ts';
import { softAuthenticator } from '../helpers/webauthn.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { formatTime } from '../../idp/src/i18n/dates.ts';
import { translator } from '../../idp/src/i18n/translator.ts';

const idp = useTestIdp({ resetClock: true });
const password = 'correct horse battery staple';
const english = { headers: { 'accept-language': 'en' } };
const csrfOf = (page: PageResponse) => page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;

/** A signed-in browser of a new account set to French, in `timezone`. */
async function frenchAccount(email: string, timezone = 'UTC'): Promise<{ id: string; browser: TestBrowser }> {
  const account = await idp.createAccount(email, password, 'Camille');
  await idp.services.accountsRepo.update(account.id, { locale: 'fr', timezone }, nowSeconds());
  const browser = new TestBrowser();
  const signedIn = await portalSignIn(idp, browser, email, password);
  expect(signedIn.body).toContain('<h1>Informations du compte</h1>');
  return { id: account.id, browser };
}

describe('Account Information in French', () => {
  it('refuses the current address as a new one, and a resend for a confirmed address, in French', async () => {
    const { browser } = await frenchAccount('camille@example.com');
    const page = await browser.request(`${idp.issuer}/my/account`, english);
    const same = await browser.submit(page, '/my/account/email', { email: 'Camille@Example.com' });
    expect(same.status).toBe(400);
    expect(same.body).toContain('<html lang="fr">');
    expect(same.body).toContain('<p class="field-error" id="f-email-error">C’est déjà votre adresse e-mail.</p>');
    expect(same.body).not.toContain('That is already your email address.');

    const resend = await browser.request(`${idp.issuer}/my/account/email/resend`, { method: 'POST', form: { _csrf: csrfOf(page) } });
    expect(resend.status).toBe(409);
    expect(resend.body).toContain('camille@example.com est déjà confirmée.');
    expect(resend.body).not.toContain('is already confirmed');
  });

  it('tells an unconfirmed account to confirm first, in French', async () => {
    const account = await idp.services.accounts.signUp({ email: 'pas-encore@example.com', password, name: 'Lou', locale: 'fr' }, { sendVerification: false });
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, account.email, password);
    const refused = await browser.request(`${idp.issuer}/my/security`, english);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Confirmez d’abord votre adresse e-mail\u00a0: nous avons envoyé un lien à pas-encore@example.com.');
  });

  it('answers a stale sign-in callback in the browser\'s French', async () => {
    const stale = await new TestBrowser().request(`${idp.issuer}/my/callback?state=abc&code=def`, { headers: { 'accept-language': 'fr' } });
    expect(stale.status).toBe(400);
    expect(stale.body).toContain('Ce lien de connexion n’est plus valable. Connectez-vous à nouveau.');
  });
});

describe('Connection & Security in French: developer mode and passkeys', () => {
  it('words both sections in French, with the passkey\'s dates in the account\'s zone', async () => {
    const { id, browser } = await frenchAccount('dominique@example.com', 'Asia/Tokyo');
    const off = await browser.request(`${idp.issuer}/my/security`, english);
    expect(off.body).toContain('<h2 id="api-keys">Mode développeur et clés d’API</h2>');
    expect(off.body).toContain('<p>Le mode développeur est désactivé.</p>');
    expect(off.body).toContain('<h2 id="passkeys">Clés d’accès</h2>');
    expect(off.body).not.toContain('Developer mode');
    expect(off.body).not.toContain('Add a passkey');

    await idp.services.apiKeys.enableDeveloperMode(id, { actor: id });
    await idp.services.apiKeys.create(id, { description: 'export', duration: '1m', scope: 'read', databases: null }, { actor: id });
    const authenticator = softAuthenticator({ origin: idp.issuer });
    const options = await browser.request(`${idp.issuer}/my/security/passkeys/options`, { method: 'POST', form: { _csrf: csrfOf(off) }, headers: { accept: 'application/json' } });
    expect(options.status, options.body).toBe(200);
    const added = await browser.request(`${idp.issuer}/my/security/passkeys`, { form: { _csrf: csrfOf(off), name: 'Portable', response: JSON.stringify(authenticator.register(JSON.parse(options.body))) } });
    expect(added.status, added.body.slice(0, 300)).toBe(303);

    const on = await browser.request(`${idp.issuer}/my/security`, english);
    expect(on.body).toContain('<p>Le mode développeur est activé. Vous avez 1 clé d’API.</p>');
    expect(on.body).toContain('>Gérer les clés d’API</a>');
    const [passkey] = await idp.services.passkeys.list(id);
    const addedAt = formatTime(translator('fr'), passkey!.createdAt, 'Asia/Tokyo');
    expect(addedAt).toContain('(Asia/Tokyo)');
    const row = on.body.match(/<tr class="passkey"[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(row).toContain(`<td>${addedAt}</td>`);
    expect(row).toContain('<td>jamais</td>');
    expect(row).toContain('>Renommer</button>');
    expect(on.body).not.toContain('UTC</td>');
    // The sentences passkeys.js may show come with the page, in French.
    expect(on.body).toContain('data-cancelled="La demande de clé d’accès a été annulée ou a expiré. Réessayez."');
    expect(on.body).toContain('data-failed="La demande de clé d’accès a échoué. Rechargez la page et réessayez."');
    for (const words of ['Developer mode', 'Manage API keys', 'Last used', 'Rename', 'cancelled or timed out']) expect(on.body).not.toContain(words);

    // Eleven minutes later, the re-authentication page offers the passkey in French.
    advance(11 * 60);
    const ask = await browser.submit(on, '/my/security/devices/logout-others', {});
    expect(ask.status).toBe(401);
    expect(ask.body).toContain('<h1>Confirmez votre identité</h1>');
    expect(ask.body).toContain('>Utiliser plutôt une clé d’accès</button>');
    expect(ask.body).toContain('data-duplicate="Cet appareil a déjà une clé d’accès pour votre compte."');
    expect(ask.body).not.toContain('Use a passkey instead');
  });
});
