/**
 * The security activity part in French (issue 19 item 6), against the real IdP: for an account whose
 * language is French, the activity page (each event's sentence, times in the account's zone and
 * language), "This wasn't me", remembered devices, connected apps and the data export page are French,
 * and so are the refusals of those pages; the account API's activity is English unless Accept-Language asks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as oidc from 'openid-client';
import type { ActivityPage } from '../../shared/account-api.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { formatTime } from '../../idp/src/i18n/dates.ts';
import { translator } from '../../idp/src/i18n/translator.ts';
import { apiWithKey, browserAt, createApiKey, FIREFOX_WINDOWS } from '../helpers/activity.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient, type SeededClient } from '../helpers/clients.ts';
import { portalSignIn, signInToRp } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp({ env: { IDP_TRUST_PROXY: 'true' }, resetClock: true });
const password = 'correct horse battery staple';
const NBSP = '\u00a0';
const fr = translator('fr');
const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)![1]!;
let client: SeededClient;
let config: oidc.Configuration;

beforeAll(async () => {
  client = await seedClient(idp, { client_name: 'Reference Database' });
  config = await discoverClient(idp, client);
});

async function frenchAccount(email: string) {
  const account = await idp.createAccount(email, password, 'Camille');
  await idp.services.accountsRepo.update(account.id, { locale: 'fr', timezone: 'Europe/Paris' }, nowSeconds());
  return account;
}

describe('the security activity in French', () => {
  it('shows the activity page, each event\'s sentence and its time in French; the API in the language it is asked', async () => {
    const email = 'camille@example.com';
    const account = await frenchAccount(email);
    const browser = browserAt('198.51.100.70', FIREFOX_WINDOWS);
    expect((await portalSignIn(idp, browser, email, password)).url).toContain('/my/account');
    const key = await createApiKey(idp, account.id, 'script');
    const record = (event: string, data: Record<string, unknown> = {}, actor = account.id) => idp.services.audit.record({ accountId: account.id, actor, event, data });
    await record('password.changed');
    await record('api_key.revoked', { visibleId: key.visibleId });
    await record('passkey.added', { name: 'Téléphone' });
    await record('database.created', { database: 'Acme' });
    await record('sessions.ended_all', { sessions: 2, reason: 'demande du titulaire' }, 'operator');
    await record('developer_mode.disabled', { revokedKeys: 3 });

    const page = await browser.request(`${idp.issuer}/my/security/activity`, { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('<h1>Activité de sécurité récente</h1>');
    expect(page.body).toContain('Les heures sont indiquées dans votre fuseau horaire (Europe/Paris).');
    expect(page.body).toContain(`choisissez <strong>Ce n’était pas moi</strong>${NBSP}: cela déconnecte tout le monde`);
    expect(page.body).toContain('<th>Date</th><th>Événement</th><th>Appareil</th><th>Adresse IP</th><th>Base de données ou application</th>');
    for (const sentence of [
      'Connexion réussie.',
      'Le mot de passe a été modifié.',
      `La clé API ${key.visibleId} a été révoquée.`,
      `Une clé d’accès a été ajoutée («${NBSP}Téléphone${NBSP}»).`,
      'La base de données Acme a été créée.',
      `Tous les appareils ont été déconnectés (2). Par le support. Motif indiqué${NBSP}: demande du titulaire`,
      `Le mode développeur a été désactivé (clés API révoquées${NBSP}: 3).`,
    ]) expect(page.body, sentence).toContain(sentence);
    expect(page.body).not.toContain('The password was changed.');
    expect(page.body).toContain('>Ce n’était pas moi</a>');
    expect(page.body).toContain('Retour à Connexion et sécurité');
    // Times: the account's zone, French month names (formatTime, the one date helper).
    const times = [...page.body.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)];
    expect(times.length).toBeGreaterThanOrEqual(7);
    for (const [, iso, shown] of times) {
      expect(shown).toBe(formatTime(fr, iso!, 'Europe/Paris'));
      expect(shown).not.toBe(formatTime(translator('en'), iso!, 'Europe/Paris'));
    }

    // The account API: `kind` is for programs; `detail` (the extension shows it) follows Accept-Language, English by default.
    const reader = (await createApiKey(idp, account.id, 'reader')).secret;
    const api = await apiWithKey<ActivityPage>(idp, reader, '/activity');
    expect(api.status).toBe(200);
    expect(api.body.entries.find((e) => e.kind === 'password.changed')!.detail).toBe('The password was changed.');
    expect(api.body.entries.find((e) => e.kind === 'sessions.ended_all')!.detail).toBe('Every device was signed out (2). By support. Reason given: demande du titulaire');
    const inFrench = await apiWithKey<ActivityPage>(idp, reader, '/activity', { language: 'fr-FR,fr;q=0.9' });
    expect(inFrench.body.entries.find((e) => e.kind === 'password.changed')!.detail).toBe('Le mot de passe a été modifié.');

    // "This wasn't me" on one entry: the confirmation names it in French.
    const entryId = api.body.entries.find((e) => e.kind === 'password.changed')!.id;
    const confirm = await browser.request(`${idp.issuer}/my/security/lockdown?entry=${entryId}`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('<h1>Sécuriser mon compte</h1>');
    expect(confirm.body).toContain(`Vous avez signalé${NBSP}: Le mot de passe a été modifié. (`);
    expect(confirm.body).toContain(`<li>révoquer toutes les clés API de votre compte${NBSP};</li>`);

    // Refusals are French too: a bad cursor, an entry that is not in the list.
    const badCursor = await browser.request(`${idp.issuer}/my/security/activity?cursor=abc`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toContain('Le curseur de page n’est pas valide. Recommencez depuis la première page.');
    const unknownEntry = await browser.request(`${idp.issuer}/my/security/lockdown?entry=999999999`);
    expect(unknownEntry.status).toBe(404);
    expect(unknownEntry.body).toContain('Cet événement ne fait pas partie de votre activité de sécurité récente.');

    // Download my data: the page is French, the file stays as it is.
    const exportPage = await browser.request(`${idp.issuer}/my/security/export`);
    expect(exportPage.body).toContain('<h1>Télécharger mes données</h1>');
    expect(exportPage.body).toContain(`(noms, portée, dates${NBSP}; jamais un secret)`);

    // Securing the account from here: the answer page is French.
    const done = await browser.submit(confirm, '/my/security/lockdown', {});
    expect(done.status).toBe(200);
    expect(done.body).toContain('<h1>Votre compte est sécurisé</h1>');
    expect(done.body).toContain(`Nous avons envoyé un lien à ${email} pour choisir un nouveau mot de passe${NBSP};`);
    expect(done.body).toContain('<a href="/password/forgot">demandez un nouveau lien</a>.');
  });

  it('shows remembered devices and connected apps in French, and refuses in French', async () => {
    const email = 'dominique@example.com';
    const account = await frenchAccount(email);
    const browser = browserAt('198.51.100.71');
    expect((await portalSignIn(idp, browser, email, password)).url).toContain('/my/account');
    await idp.services.security.twoFactor.trustDevice(account.id, FIREFOX_WINDOWS, '203.0.113.71');
    // A device whose User-Agent says nothing is named in French too.
    await idp.services.security.twoFactor.trustDevice(account.id, '', '203.0.113.72');
    await signInToRp(config, client, browser, email, password);

    const devices = await browser.request(`${idp.issuer}/my/security/trusted-devices`);
    expect(devices.status).toBe(200);
    expect(devices.body).toContain('<h1>Appareils mémorisés</h1>');
    expect(devices.body).toContain('Appareils sur lesquels vous avez choisi «\u00a0Se souvenir de cet appareil\u00a0»');
    expect(devices.body).toContain('<th>Navigateur</th><th>Système</th><th>Adresse IP</th>');
    expect(devices.body).toContain('Firefox 128');
    expect(devices.body).toContain('<td>Navigateur inconnu</td><td>Système inconnu</td>');
    expect(devices.body).toContain('>Oublier</button>');
    expect(devices.body).toContain('>Les oublier tous</button>');
    expect(devices.body).toContain('(Europe/Paris)');
    // Refused: a device that is not remembered (404), a malformed id (404).
    const gone = await browser.request(`${idp.issuer}/my/security/trusted-devices/td_doesnotexist/revoke`, { form: { _csrf: csrfOf(devices.body) } });
    expect(gone.status).toBe(404);
    expect(gone.body).toContain('Cet appareil n’est plus mémorisé.');
    const malformed = await browser.request(`${idp.issuer}/my/security/trusted-devices/nope/revoke`, { form: { _csrf: csrfOf(devices.body) } });
    expect(malformed.status).toBe(404);
    expect(malformed.body).toContain('Appareil inconnu.');
    const [first, second] = await idp.services.security.twoFactor.listTrustedDevices(account.id);
    await browser.submit(devices, `/my/security/trusted-devices/${first!.id}/revoke`, {});
    const forgotten = await browser.submit(devices, `/my/security/trusted-devices/${second!.id}/revoke`, {});
    expect(forgotten.body).toContain('Cet appareil devra saisir un code à sa prochaine connexion.');
    expect(forgotten.body).toContain('Aucun appareil n’est mémorisé.');

    const apps = await browser.request(`${idp.issuer}/my/security/apps`);
    expect(apps.status).toBe(200);
    expect(apps.body).toContain('<h1>Bases de données et applications connectées</h1>');
    expect(apps.body).toContain('<th>Base de données ou application</th><th>Dernière utilisation</th><th>Fonctionne en votre absence</th>');
    expect(apps.body).toContain('<td>Reference Database</td>');
    expect(apps.body).toContain('<td>oui</td>');
    expect(apps.body).toContain('>Se déconnecter de cette base de données</button>');
    const unknown = await browser.request(`${idp.issuer}/my/security/apps/unknown-client/sign-out`, { form: { _csrf: csrfOf(apps.body) } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('Cette base de données ou application n’a aucun accès à votre compte.');
    const signedOut = await browser.submit(apps, `/my/security/apps/${client.clientId}/sign-out`, {});
    expect(signedOut.body).toContain(`Déconnecté de cette base de données ou application${NBSP}: son accès a été révoqué et elle en a été informée.`);
    expect(signedOut.body).toContain('Aucune base de données ni application n’a accès à votre compte.');

    const activity = await browser.request(`${idp.issuer}/my/security/activity`);
    expect(activity.body).toContain(`Déconnexion de Reference Database${NBSP}: son accès a été révoqué.`);
    expect(activity.body).toContain('Un appareil mémorisé a été oublié (Firefox 128 sur Windows 10).');
  });

  it('answers a dead "this wasn\'t me" link in the browser\'s language', async () => {
    const res = await new TestBrowser().request(`${idp.issuer}/lockdown?token=${'x'.repeat(32)}`, { headers: { 'accept-language': 'fr' } });
    expect(res.status).toBe(410);
    expect(res.body).toContain('<title>Lien expiré · Latchkey</title>');
    expect(res.body).toContain('<h1>Ce lien a expiré</h1>');
    expect(res.body).toContain(`Pour sécuriser votre compte, <a href="/password/forgot">réinitialisez votre mot de passe</a>, ou connectez-vous et utilisez «${NBSP}Ce n’était pas moi${NBSP}»`);
  });
});
