/**
 * The database manager's list and the invitations in French (issue 19 item 6), against the real IdP:
 * /my/databases (list, invitations, create form, created notice), the mailed invitation page, the
 * notices after an answer, and the memberships service's refusals, for accounts whose language is fr.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.ts';
import { linkFrom } from '../helpers/idp.ts';
import { portalSignIn } from '../helpers/security.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
const password = 'correct horse battery staple';
const owner = { email: 'odile@example.com', browser: new TestBrowser(), id: '' };
const guest = { email: 'gaston@example.com', browser: new TestBrowser(), id: '' };
let databaseId = '';

async function frenchAccount(person: { email: string; browser: TestBrowser; id: string }, name: string): Promise<void> {
  person.id = (await idp.createAccount(person.email, password, name)).id;
  await idp.services.accountsRepo.update(person.id, { locale: 'fr' }, nowSeconds());
  const signedIn = await portalSignIn(idp, person.browser, person.email, password);
  expect(signedIn.body).toContain('<html lang="fr">');
}

beforeAll(async () => {
  await frenchAccount(owner, 'Odile');
  await frenchAccount(guest, 'Gaston');
});

describe('the database list in French', () => {
  it('shows the empty list and the create form, then the created notice', async () => {
    const empty = await owner.browser.request(`${idp.issuer}/my/databases`, { headers: { 'accept-language': 'en' } });
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<title>Bases de données · Latchkey</title>');
    expect(empty.body).toContain('<h2 id="mine">Vos bases de données</h2>');
    expect(empty.body).toContain('Vous ne possédez encore aucune base de données et n’êtes membre d’aucune.');
    expect(empty.body).toContain('<h2 id="create">Créer une base de données</h2>');
    expect(empty.body).toContain('L’adresse de la base de données, par exemple https://acme.example.com.');
    expect(empty.body).toContain('<button type="submit">Créer la base de données</button>');

    const created = await owner.browser.submit(empty, '/my/databases', { name: 'Acme', url: 'https://acme.example.com' });
    expect(created.status).toBe(201);
    expect(created.body).toContain('<title>Base de données créée · Latchkey</title>');
    expect(created.body).toContain('<h1>Acme est prête</h1>');
    expect(created.body).toContain('Vous êtes propriétaire de Acme. Vous vous y connectez en tant que odile@example.com.');
    databaseId = (await idp.services.databases.findByName('Acme'))!.id;

    const list = await owner.browser.request(`${idp.issuer}/my/databases`);
    expect(list.body).toContain('<th>Nom</th><th>URL</th><th>Rôle</th><th>Identifiant de connexion</th><th><span class="visually-hidden">Actions</span></th>');
    expect(list.body).toMatch(/<td>Propriétaire<\/td><td>odile@example.com<\/td><td><a class="button" href="[^"]+">Ouvrir<\/a><\/td>/);
  });

  it('refuses a second invitation to the same address in French', async () => {
    const page = await owner.browser.request(`${idp.issuer}/my/databases/${databaseId}`);
    const invite = () => owner.browser.request(`${idp.issuer}/my/databases/${databaseId}/invite`, { method: 'POST', form: { _csrf: csrfOf(page.body), email: guest.email } });
    expect((await invite()).status).toBe(303);
    const again = await invite();
    expect(again.status).toBe(409);
    expect(again.body).toContain('gaston@example.com est déjà invité à Acme.');
    expect(again.body).toContain('Déjà invité ou membre.');
  });
});

describe('an invitation in French', () => {
  it('is listed and shown in French, and accepting it says so in French', async () => {
    const link = linkFrom(idp.lastMailTo(guest.email), '/my/invitations');
    const list = await guest.browser.request(`${idp.issuer}/my/databases`);
    expect(list.body).toContain('<h2 id="invitations">Invitations</h2>');
    expect(list.body).toContain('<strong>Acme</strong> (https://acme.example.com) invite <strong>gaston@example.com</strong>.');
    expect(list.body).toContain('<button type="submit">Accepter</button>');
    expect(list.body).toContain('<button type="submit" class="secondary">Refuser</button>');

    const page = await guest.browser.request(link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Invitation à Acme · Latchkey</title>');
    expect(page.body).toContain('<h1>Rejoindre Acme\u00a0?</h1>');
    expect(page.body).toContain('Acme (https://acme.example.com) invite <strong>gaston@example.com</strong>. Vous vous y connecterez en tant que gaston@example.com.');

    // Someone else signed in sees whom the invitation is for, in their own language.
    const other = await owner.browser.request(link);
    expect(other.body).toContain('Cette invitation est destinée à gaston@example.com, mais vous êtes connecté en tant que odile@example.com.');

    const accepted = await guest.browser.submit(page, '/accept', {});
    expect(accepted.body).toContain('Vous avez rejoint la base de données. Ouvrez-la depuis la liste ci-dessous.');
    expect(accepted.body).toContain('<td>Membre</td>');
  });

  it('refuses an invitation that was withdrawn, in French (page and JSON)', async () => {
    await idp.services.databases.invite(databaseId, 'gisele@example.com', { kind: 'account', accountId: owner.id });
    const link = linkFrom(idp.lastMailTo('gisele@example.com'), '/my/invitations');
    const gisele = { email: 'gisele@example.com', browser: new TestBrowser(), id: '' };
    await frenchAccount(gisele, 'Gisèle');
    const page = await gisele.browser.request(link);
    expect(page.status).toBe(200);
    const invitation = (await idp.services.databases.listForAccount((await idp.services.accounts.findByEmail(gisele.email))!)).find((m) => m.status === 'invited')!;
    await idp.services.databases.removeMember(databaseId, invitation.id, { kind: 'account', accountId: owner.id });

    const refused = await gisele.browser.submit(page, '/accept', {});
    expect(refused.status).toBe(410);
    expect(refused.body).toContain('Cette invitation a été retirée, a déjà reçu une réponse ou a expiré.');
    const json = await gisele.browser.request(`${idp.issuer}/my/invitations/${invitation.id}/decline`, { method: 'POST', form: { _csrf: csrfOf(page.body) }, headers: { accept: 'application/json' } });
    expect(json.status).toBe(410);
    expect(JSON.parse(json.body).message).toBe('Cette invitation a été retirée, a déjà reçu une réponse ou a expiré.');
    const gone = await gisele.browser.request(link);
    expect(gone.status).toBe(410);
    expect(gone.body).toContain('Cette invitation a été retirée, a déjà reçu une réponse ou a expiré.');
  });
});
