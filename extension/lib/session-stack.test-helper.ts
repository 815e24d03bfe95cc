/** Wires the real client, session and API client against the fake IdP, as the background does. */
import { createAccountClient } from './account-client.ts';
import { createAuthSession } from './auth-session.ts';
import { createDpopFetch } from './dpop-fetch.ts';
import { generateDpopKeyPair } from './dpop.ts';
import { createFakeIdp, ISSUER, REDIRECT_URI } from './fake-idp.test-helper.ts';
import { createOAuthClient } from './oauth-client.ts';
import { discoverProvider } from './oidc-discovery.ts';
import { accessTokenItem, refreshGrantItem } from './storage-items.ts';
import { createTokenStore } from './token-store.ts';

export function createSessionStack(idpOptions: Parameters<typeof createFakeIdp>[0] = {}) {
  const idp = createFakeIdp(idpOptions);
  const keys = generateDpopKeyPair();
  let launches = 0;
  const now = () => idp.state.clock * 1000;
  const dpopFetch = createDpopFetch({ keys: () => keys, fetch: idp.fetch, now });
  const client = createOAuthClient({
    issuer: ISSUER,
    metadata: () => discoverProvider(ISSUER, idp.fetch),
    dpopFetch,
    dpopKeys: () => keys,
    launchWebAuthFlow: (url) => {
      launches += 1;
      return idp.launchWebAuthFlow(url);
    },
    redirectUri: REDIRECT_URI,
    now,
  });
  const store = createTokenStore(ISSUER, { access: accessTokenItem, refresh: refreshGrantItem });
  const session = createAuthSession({ client, store, now });
  return {
    idp,
    client,
    store,
    session,
    launches: () => launches,
    account: createAccountClient({ issuer: ISSUER, session, dpopFetch, interactive: true }),
    quietAccount: createAccountClient({ issuer: ISSUER, session, dpopFetch, interactive: false }),
  };
}
