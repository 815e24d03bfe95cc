/**
 * Developer mode and API keys in French (issue 19 item 6) against the real IdP: the API keys page of an
 * account whose locale is fr (whatever the browser asks), a created and a rotated key's page, refused
 * forms (a schema's and the key service's), turning developer mode off; and the account API's JSON
 * errors, whose language is the request's Accept-Language (the API does not read the account's locale).
 */
import { describe, expect, it } from 'vitest';
import { TestBrowser, type PageResponse } from '../helpers/browser.ts';
import { portalSignIn } from '../helpers/security.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const KEYS = '/my/security/api-keys';
const PASSWORD = 'correct horse battery staple';
const NBSP = '\u00a0';
const idp = useTestIdp();

const secretIn = (page: PageResponse) => page.body.match(/lk_[a-z2-7]{10}_[A-Za-z0-9_-]{43}/)![0];
const errorOf = (body: string, field: string) => body.match(new RegExp(`<p class="field-error" id="f-${field}-error">([^<]*)</p>`))?.[1];

async function frenchAccount(email: string): Promise<{ id: string; browser: TestBrowser }> {
  const account = await idp.createAccount(email, PASSWORD, 'Camille');
  await idp.services.accountsRepo.update(account.id, { locale: 'fr', timezone: 'Europe/Paris' }, nowSeconds());
  const browser = new TestBrowser();
  await portalSignIn(idp, browser, email, PASSWORD);
  return { id: account.id, browser };
}

describe('the API keys pages in the account\'s French', () => {
  it('draw developer mode, the form, a new and a rotated key, refused forms and turning it off in French', async () => {
    const { browser } = await frenchAccount('camille@example.com');
    const english = { headers: { 'accept-language': 'en' } };

    const off = await browser.request(`${idp.issuer}${KEYS}`, english);
    expect(off.status).toBe(200);
    expect(off.body).toContain('<html lang="fr">');
    expect(off.body).toContain('<title>Clés d’API · Latchkey</title>');
    expect(off.body).toContain('<h1>Mode développeur et clés d’API</h1>');
    expect(off.body).toContain('<h2 id="developer-mode">Le mode développeur est désactivé</h2>');
    expect(off.body).toContain(`Le mode développeur vous permet d’ajouter des clés d’API${NBSP}: des secrets que des scripts envoient`);
    expect(off.body).toContain('<button type="submit">Activer le mode développeur</button>');
    expect(off.body).toContain('← Connexion et sécurité</a>');
    expect(off.body).not.toContain('Turn on developer mode');

    const on = await browser.submit(off, `${KEYS}/developer-mode`, {});
    expect(on.body).toContain('<h2 id="add-key">Ajouter une clé d’API</h2>');
    expect(on.body).toContain('<p>Vous n’avez aucune clé d’API.</p>');
    expect(on.body).toContain(`<option value="3m" selected>3${NBSP}mois</option>`);
    expect(on.body).toContain('<legend>Accès</legend>');
    expect(on.body).toContain(`Lecture et écriture${NBSP}: consulter et modifier les données`);
    expect(on.body).toContain('<button type="submit">Ajouter la clé</button>');
    expect(on.body).toContain('<a href="/my/security/api-keys/developer-mode/off">Désactiver le mode développeur</a> (cela révoque toutes les clés d’API).');
    for (const text of ['Add an API key', 'Your API keys', 'Every database of my account', 'Expires after', 'Developer mode is on']) {
      expect(on.body).not.toContain(text);
    }

    // A schema's refusal, beside its field and in the notice.
    const noDescription = await browser.submit(on, `${KEYS}/new`, { description: '', duration: '1w', scope: 'read', database_access: 'all' });
    expect(noDescription.status).toBe(400);
    const wanted = `Décrivez à quoi sert la clé, par exemple «${NBSP}export nocturne${NBSP}».`;
    expect(errorOf(noDescription.body, 'description')).toBe(wanted);
    expect(noDescription.body).toContain(`${wanted}</div>`);
    // The key service's refusal (no database chosen), with its field message.
    const noDatabase = await browser.submit(on, `${KEYS}/new`, { description: 'export', duration: '1w', scope: 'read', database_access: 'some' });
    expect(noDatabase.status).toBe(400);
    expect(noDatabase.body).toContain('Choisissez au moins une base de données, ou autorisez toutes les bases de données.');
    expect(errorOf(noDatabase.body, 'databases')).toBe('Choisissez au moins une base de données.');
    expect(noDatabase.body).not.toContain('Choose at least one database');

    // A created key's page: the secret once, with the copy button's French words for the script.
    const created = await browser.submit(on, `${KEYS}/new`, { description: 'export nocturne', duration: '1w', scope: 'read-write', database_access: 'all' });
    expect(created.status).toBe(201);
    secretIn(created);
    expect(created.body).toContain(`<h2 id="new-secret">Votre nouvelle clé d’API «${NBSP}export nocturne${NBSP}»</h2>`);
    expect(created.body).toContain(`Copiez cette clé maintenant${NBSP}: elle n’est affichée qu’une seule fois`);
    expect(created.body).toContain(`data-copied="Copiée" data-copy-failed="La copie a échoué${NBSP}: sélectionnez la clé et copiez-la" hidden>Copier la clé</button>`);
    expect(created.body).toContain('Envoyez-la dans l’en-tête <code>Authorization: Bearer &lt;key></code>.');
    expect(created.body).not.toContain('shown only once');
    // The list: French headings and values, times in the account's zone and language.
    expect(created.body).toContain('<h2 id="your-keys">Vos clés d’API</h2>');
    expect(created.body).toContain('<th>Créée le</th><th>Expire le</th><th>Dernière utilisation</th>');
    expect(created.body).toContain('<td>lecture et écriture</td><td>Toutes</td>');
    expect(created.body).toMatch(/<td>\d{1,2} [a-zéû.]+ \d{4}, \d{2}:\d{2} \(Europe\/Paris\)<\/td>/);
    expect(created.body).toContain('<td>Jamais</td>');
    expect(created.body).toContain('<option value="3600">1\u00a0heure</option>');
    expect(created.body).not.toContain(' UTC</td>');

    const rotated = await browser.submit(created, '/rotate', { grace: '3600' });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toContain(`Nouveau secret pour «${NBSP}export nocturne${NBSP}» (l’ancien secret fonctionne encore pendant 1${NBSP}heure)`);
    // A refused rotation: the schema's sentence, in French.
    const csrf = rotated.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const badGrace = await browser.request(`${idp.issuer}${KEYS}/key_AAAAAAAAAAAAAAAA/rotate`, { method: 'POST', form: { _csrf: csrf, grace: '7' } });
    expect(badGrace.status).toBe(400);
    expect(badGrace.body).toContain(`Choisissez combien de temps l’ancien secret reste valable${NBSP}: aucun délai, 1${NBSP}heure ou 24${NBSP}heures.`);

    // Turning developer mode off: the confirmation, then the notice.
    const confirm = await browser.request(`${idp.issuer}${KEYS}/developer-mode/off`);
    expect(confirm.body).toContain(`<h1>Désactiver le mode développeur${NBSP}?</h1>`);
    expect(confirm.body).toContain(`Cela révoque immédiatement votre clé d’API${NBSP}: tout script qui l’utilise cesse de fonctionner. Vous pourrez réactiver le mode développeur plus tard`);
    expect(confirm.body).toContain(`>Désactiver et révoquer 1${NBSP}clé</button>`);
    const done = await browser.submit(confirm, `${KEYS}/developer-mode/off`, {});
    expect(done.body).toContain(`Le mode développeur est désactivé. 1${NBSP}clé d’API révoquée.`);
  });
});

describe('the account API\'s errors in French', () => {
  it('answers JSON errors in the language of Accept-Language', async () => {
    const { id, browser } = await frenchAccount('dominique@example.com');
    const page = await browser.request(`${idp.issuer}${KEYS}`);
    const on = await browser.submit(page, `${KEYS}/developer-mode`, {});
    const key = secretIn(await browser.submit(on, `${KEYS}/new`, { description: 'script', duration: '1d', scope: 'read', database_access: 'all' }));
    const api = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
      fetch(`${idp.issuer}/api/v1${path}`, { method: init.method, body: init.body, headers: { 'content-type': 'application/json', ...init.headers } });

    const none = await api('/status', { headers: { 'accept-language': 'fr' } });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'unauthorized', message: `Envoyez une clé d’API dans l’en-tête «${NBSP}Authorization: Bearer <clé>${NBSP}», ou un jeton d’accès lié par DPoP.` });
    const unknown = await api('/status', { headers: { authorization: `Bearer lk_aaaaaaaaaa_${'C'.repeat(43)}`, 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect((await unknown.json()).message).toBe(`Cette clé d’API n’est pas valide${NBSP}: elle a peut-être expiré ou été révoquée.`);

    const keys = (await (await api('/api-keys', { headers: { authorization: `Bearer ${key}` } })).json()) as { id: string }[];
    const readOnly = await api(`/api-keys/${keys[0]!.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}`, 'accept-language': 'fr' } });
    expect(readOnly.status).toBe(403);
    expect(await readOnly.json()).toEqual({ error: 'forbidden', message: `Cette clé d’API est en lecture seule${NBSP}: elle ne peut que lire (GET).` });
    // The key's account is French, but a JSON answer follows the request: no Accept-Language, English.
    const english = await api(`/api-keys/${keys[0]!.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    expect((await english.json()).message).toBe('This API key is read-only: it can only read (GET).');

    // A schema's refusal through the API, with its field, in French.
    const { secret: writer } = await idp.services.apiKeys.create(id, { description: 'writer', duration: '1d', scope: 'read-write', databases: null }, { actor: id });
    const badGrace = await api(`/api-keys/${keys[0]!.id}/rotate`, { method: 'POST', body: '{"graceSeconds":60}', headers: { authorization: `Bearer ${writer}`, 'accept-language': 'fr' } });
    expect(badGrace.status).toBe(400);
    const grace = `Choisissez combien de temps l’ancien secret reste valable${NBSP}: aucun délai, 1${NBSP}heure ou 24${NBSP}heures.`;
    expect(await badGrace.json()).toEqual({ error: 'invalid_input', message: grace, fields: { graceSeconds: grace } });
    const other = await api(`/api-keys/${keys[0]!.id}/rotate`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${writer}`, 'accept-language': 'fr' } });
    expect(other.status).toBe(403);
    expect((await other.json()).message).toBe('Une clé d’API ne peut renouveler ou révoquer qu’elle-même. Gérez les autres clés sur la page Clés d’API de votre compte.');
  });
});
