/**
 * A real OpenID Provider (bare oidc-provider 9) standing in for our IdP in tests: ES256 keys,
 * `login`/`role` claims, back-channel logout, introspection, RP-initiated logout. Its interaction
 * handler signs in whichever account the test chose (`op.signInAs`), records the login_hint it
 * saw, and answers `access_denied` for a non-member — no pages to click through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
// biome-ignore lint/suspicious/noTsIgnore: the directive is needed only where oidc-provider resolves without its types
// @ts-ignore -- oidc-provider ships no types; the IdP may add a declaration later.
import { Provider } from 'oidc-provider';

export interface StandInAccount {
  sub: string;
  /** The account's current email (may differ from the database login). */
  email: string;
  name: string;
  /** Sign-in login on this database; absent when the account is not a member. */
  login?: string;
  role?: 'owner' | 'member';
}

export interface StandInOp {
  issuer: string;
  accounts: Map<string, StandInAccount>;
  signInAs: string | null;
  loginHints: string[];
  privateJwk: jose.JWK;
  registerClient(client: { clientId: string; clientSecret: string; redirectUri: string; backchannelLogoutUri: string; postLogoutRedirectUri: string }): Promise<void>;
  issueApiKey(input: { sub: string; scope: 'read' | 'read-write'; clientId: string; expiresIn?: number }): Promise<string>;
  revokeApiKey(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStandInOp(options: { conformIdTokenClaims?: boolean } = {}): Promise<StandInOp> {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid: 'stand-in-1', alg: 'ES256', use: 'sig' };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const accounts = new Map<string, StandInAccount>();
  const state = { signInAs: null as string | null, loginHints: [] as string[] };

  const provider = new Provider(issuer, {
    jwks: { keys: [privateJwk] },
    cookies: { keys: ['stand-in-cookie-key'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    claims: {
      openid: ['sub'],
      email: ['email'],
      profile: ['name', 'login', 'role'],
    },
    scopes: ['openid', 'email', 'profile', 'read', 'read-write'],
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    // oidc-provider refuses outgoing requests to loopback addresses (SSRF protection); the app under
    // test lives on localhost, so drop the guarding dispatcher for back-channel logout calls.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...init } = (options ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, init);
    },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // API keys are access tokens here; their introspection answer carries the database login.
    async extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const login = accountId ? accounts.get(accountId)?.login : undefined;
      return login ? { login } : undefined;
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, name: account.name, login: account.login, role: account.role };
        },
      };
    },
  });
  provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('stand-in OP server_error', error));
  provider.on('backchannel.error', (_ctx: unknown, error: unknown) => console.error('stand-in OP backchannel.error', error));

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (!match) return callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (typeof details.params.login_hint === 'string') state.loginHints.push(details.params.login_hint);
        const account = state.signInAs ? accounts.get(state.signInAs) : undefined;
        if (!account) throw new Error('stand-in OP: set op.signInAs to an account sub first');
        if (!account.login) {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'not a member of this database' }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email profile');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: account.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    })();
  });

  return {
    issuer,
    accounts,
    get signInAs() {
      return state.signInAs;
    },
    set signInAs(value) {
      state.signInAs = value;
    },
    get loginHints() {
      return state.loginHints;
    },
    privateJwk,
    async registerClient(client) {
      await (provider.Client as unknown as { adapter: { upsert(id: string, payload: object): Promise<void> } }).adapter.upsert(client.clientId, {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        post_logout_redirect_uris: [client.postLogoutRedirectUri],
        backchannel_logout_uri: client.backchannelLogoutUri,
        backchannel_logout_session_required: true,
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid email profile read read-write',
      });
    },
    async issueApiKey({ sub, scope, clientId, expiresIn }) {
      const client = (await provider.Client.find(clientId))!;
      const grantId = await new provider.Grant({ accountId: sub, clientId }).save();
      const token = new provider.AccessToken({ accountId: sub, client, scope, gty: 'api_key', grantId, ...(expiresIn ? { expiresIn } : {}) });
      return token.save();
    },
    async revokeApiKey(key) {
      const token = await provider.AccessToken.find(key);
      await token?.destroy();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
