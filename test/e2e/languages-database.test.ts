/**
 * One database's page in French (issue 19 item 6), against the real IdP: for an account whose language
 * is French the page, its Advanced section, the new client secret and a member's view read in French,
 * and a refused form (the service's typed confirmation, a zod message of the Advanced section, a bad
 * database id) answers in French too; the English wording stays for an English account.
 */
import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.ts';
import { portalSignIn } from '../helpers/security.ts';
import { nowSeconds } from '../../idp/src/clock.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
const password = 'correct horse battery staple';
const NBSP = '\u00a0';

async function frenchAccount(email: string, name: string) {
  const account = await idp.createAccount(email, password, name);
  await idp.services.accountsRepo.update(account.id, { locale: 'fr' }, nowSeconds());
  return account;
}

async function databaseOf(ownerId: string, name: string) {
  const url = `https://${name.toLowerCase().replace(/\W+/g, '-')}.example`;
  const { database } = await idp.services.databases.create(ownerId, { name, url, redirectUris: [`${url}/callback`], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }, { kind: 'account', accountId: ownerId });
  return database;
}

describe('the page of one database in French', () => {
  it('reads in French for its owner, and a refused form answers in French', async () => {
    const owner = await frenchAccount('claire@example.com', 'Claire');
    const database = await databaseOf(owner.id, 'Atelier');
    const member = await idp.createAccount('paul@example.com', password, 'Paul');
    const invited = await idp.services.databases.invite(database.id, member.email, { kind: 'account', accountId: owner.id });
    await idp.services.databases.acceptInvitation(invited.id, (await idp.services.accounts.findById(member.id))!);

    const browser = new TestBrowser();
    await portalSignIn(idp, browser, owner.email, password);
    const page = await browser.request(`${idp.issuer}/my/databases/${database.id}`, { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="fr">');
    for (const french of [
      '<h2 id="about">À propos</h2>',
      `<dt>Votre rôle</dt><dd>Propriétaire</dd>`,
      'Ouvrir Atelier</a>',
      '<h2 id="members">Membres</h2>',
      '<td>Membre</td><td>Actif</td>',
      '>Retirer</button>',
      '<h2 id="transfer">Transférer la propriété</h2>',
      `Régénérer le secret désactive aussitôt l’ancien${NBSP}: mettez à jour la configuration de la base de données juste après.`,
      '<h2 id="advanced">Paramètres avancés</h2>',
      `Vide${NBSP}: 1209600 (14 jours). De 300 à 1209600.`,
      'Enregistrer les paramètres avancés</button>',
      'Plus personne ne pourra se connecter à Atelier avec ce service de comptes. Cette action est irréversible.',
      '<label for="f-confirm">Saisissez Atelier pour confirmer</label>',
      'Supprimer Atelier</button>',
    ]) expect(page.body).toContain(french);
    expect(page.body).not.toContain('Transfer ownership');

    // The service refuses the typed confirmation: the message and the field's in French (the sign-in is recent).
    const wrongName = await browser.submit(page, `/my/databases/${database.id}/delete`, { confirm: 'Ailleurs' });
    expect(wrongName.status).toBe(400);
    expect(wrongName.body).toContain('Saisissez le nom de la base de données, Atelier, pour confirmer.');
    expect(wrongName.body).toContain('<p class="field-error" id="f-confirm-error">Le nom ne correspond pas.</p>');
    expect(await idp.services.databases.findById(database.id)).toBeDefined();

    // A zod message of the Advanced section (schemas.ts), beside its field.
    const badUri = await browser.submit(page, `/my/databases/${database.id}/advanced`, {
      redirectUris: 'ftp://atelier.example/callback', postLogoutRedirectUris: '', backchannelLogoutUri: '', tokenEndpointAuthMethod: 'client_secret_basic', jwksUri: '', idTokenSignedResponseAlg: 'ES256', refreshTokenTtl: '',
    });
    expect(badUri.status).toBe(400);
    expect(badUri.body).toContain('<p class="field-error" id="f-redirectUris-error">L’URI de redirection doit être une adresse http:// ou https://, comme https://acme.example.com.</p>');

    // The new client secret, once.
    const secret = await browser.submit(page, `/my/databases/${database.id}/secret`, {});
    expect(secret.status).toBe(200);
    expect(secret.body).toContain('<title>Nouveau secret client · Latchkey</title>');
    expect(secret.body).toContain('<h1>Nouveau secret client pour Atelier</h1>');
    expect(secret.body).toContain('Identifiants client de Atelier');
    expect(secret.body).toContain(`Copiez le secret client maintenant${NBSP}: il n’est affiché qu’une seule fois.`);
    expect(secret.body).toContain('<dt>Émetteur</dt>');
    expect(secret.body).toContain('Gérer Atelier</a>');

    // A database id that cannot be one: the error page, in French.
    const bad = await browser.request(`${idp.issuer}/my/databases/not%20an%20id`);
    expect(bad.status).toBe(404);
    expect(bad.body).toContain('Cette base de données n’existe pas, ou vous n’en êtes pas membre.');
  });

  it('reads in French for a member, whose refused transfer is in French too, and stays English for an English one', async () => {
    const owner = await idp.createAccount('olga@example.com', password, 'Olga');
    const database = await databaseOf(owner.id, 'Moulin');
    const member = await frenchAccount('lucie@example.com', 'Lucie');
    const invited = await idp.services.databases.invite(database.id, member.email, { kind: 'account', accountId: owner.id });
    await idp.services.databases.acceptInvitation(invited.id, (await idp.services.accounts.findById(member.id))!);

    const browser = new TestBrowser();
    await portalSignIn(idp, browser, member.email, password);
    const page = await browser.request(`${idp.issuer}/my/databases/${database.id}`);
    expect(page.body).toContain('<dt>Votre rôle</dt><dd>Membre</dd>');
    expect(page.body).toContain(`Seul le support peut modifier un identifiant de connexion${NBSP}; modifier l’adresse e-mail de votre compte ne le change pas.`);
    expect(page.body).toContain('Vous ne pourrez plus vous connecter à Moulin.');
    expect(page.body).toContain('Quitter Moulin</button>');

    // Only the owner transfers: the service's refusal (database-rules.ts), in French, on the page.
    const refused = await browser.request(`${idp.issuer}/my/databases/${database.id}/transfer`, { method: 'POST', form: { _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]!, member: invited.id } });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<html lang="fr">');
    expect(refused.body).toContain('Seul le propriétaire de Moulin peut effectuer cette action.');

    const english = new TestBrowser();
    await portalSignIn(idp, english, owner.email, password);
    const ownerPage = await english.request(`${idp.issuer}/my/databases/${database.id}`);
    expect(ownerPage.body).toContain('<html lang="en">');
    expect(ownerPage.body).toContain('<h2 id="about">About</h2>');
    expect(ownerPage.body).toContain('<label for="f-confirm">Type Moulin to confirm</label>');
    expect(ownerPage.body).toContain('Empty: 1209600 (14 days). From 300 to 1209600.');
  });
});
