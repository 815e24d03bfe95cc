/**
 * Only the extension may hold tokens for the account API. A database is a first-party client (its
 * members never see a consent screen), so if it could ask for the `${issuer}/api` resource it would get
 * tokens that rotate its members' API keys. The provider refuses the resource to any other client.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { discoverClient, seedClient } from '../helpers/clients.ts';

const idp = useTestIdp();
beforeAll(async () => {
  await idp.createAccount('victim@example.com', 'correct horse battery', 'Victim');
});

describe('account API audience', () => {
  it('refuses the account API resource to a database client, at authorization and at the token endpoint', async () => {
    const client = await seedClient(idp, { first_party: true, grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const config = await discoverClient(idp, client);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri, scope: 'openid account', resource: `${idp.issuer}/api`, state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const res = await browser.request(url);
    const back = new URL(res.location!);
    expect(back.origin).toBe('http://127.0.0.1:9');
    expect(back.searchParams.get('error')).toBe('invalid_target');

    await expect(oidc.clientCredentialsGrant(config, { scope: 'account', resource: `${idp.issuer}/api` })).rejects.toMatchObject({ error: 'invalid_target' });
  });
});
