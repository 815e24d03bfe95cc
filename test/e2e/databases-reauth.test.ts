/**
 * The sensitive database actions (transfer ownership, regenerate the client secret, delete) need a
 * sign-in within the last 10 minutes, like every sensitive account action: otherwise the page asks for
 * the password first and nothing changes until it is given.
 */
import { describe, expect, it } from 'vitest';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { advance, portalSignIn } from '../helpers/security.ts';

const idp = useTestIdp({ resetClock: true });
const password = 'correct horse battery staple';

describe('re-authentication for database actions', () => {
  it('asks for the password before deleting a database or regenerating its secret when the sign-in is old', async () => {
    const owner = await idp.createAccount('owner@example.com', password, 'Owner');
    const { database } = await idp.services.databases.create(owner.id, { name: 'Reauth Co', url: 'https://reauth.example', redirectUris: ['https://reauth.example/callback'], postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' }, { kind: 'account', accountId: owner.id });
    const browser = new TestBrowser();
    await portalSignIn(idp, browser, owner.email, password);
    const page = await browser.request(`${idp.issuer}/my/databases/${database.id}`);
    expect(page.status).toBe(200);
    advance(11 * 60);

    const secret = await browser.submit(page, `/my/databases/${database.id}/secret`, {});
    expect(secret.status).toBe(401);
    expect(secret.body).toContain('Confirm it is you');

    const asked = await browser.submit(page, `/my/databases/${database.id}/delete`, { confirm: 'Reauth Co' });
    expect(asked.status).toBe(401);
    expect(asked.body).toContain('Confirm it is you');
    expect(await idp.services.databases.findById(database.id)).toBeDefined();

    const wrong = await browser.submit(asked, `/my/databases/${database.id}/delete`, { reauth_password: 'not it at all' });
    expect(wrong.status).toBe(401);
    expect(await idp.services.databases.findById(database.id)).toBeDefined();

    const deleted = await browser.submit(asked, `/my/databases/${database.id}/delete`, { reauth_password: password });
    expect(deleted.url).toContain('/my/databases');
    expect(await idp.services.databases.findById(database.id)).toBeUndefined();
  });
});
