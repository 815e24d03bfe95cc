/**
 * oidc-provider configuration. The provider is rebuilt (cheaply, it holds no state of its own) when the
 * signing keys change in the store, so `idp keys rotate` takes effect in every running process without
 * a restart; everything else it needs is read per request.
 *
 * It sees the rest of the IdP only through `ProviderPorts`, built by the composition root (services.ts):
 * storage adapters, keys and cookie secrets, account lookup, database access, API key introspection and
 * session activity. It is built last, on first use; what calls into it (back-channel logout, client
 * names, client metadata checks) reads the holder at call time.
 *
 * Security choices: PKCE S256 required for every client, refresh tokens rotate on every use, our own
 * interaction pages (devInteractions off), access tokens for the account API are JWTs bound to the
 * `${issuer}/api` resource.
 */
import Provider, { errors as oidcErrors, interactionPolicy, type Configuration, type KoaContextWithOIDC, type ClaimsParameterMember } from 'oidc-provider';
import { ACCOUNT_API_RESOURCE_PATH, ACCOUNT_API_SCOPE, EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';
import type { Adapter } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Account } from '../accounts/types.ts';
import type { RelyingParties } from '../security/session-service.ts';
import { log } from '../log.ts';
import { metrics } from '../observability/metrics.ts';
import { noteRoute } from '../observability/request-context.ts';
import { oidcLanguage, renderNotFound, renderOidcError, renderLogoutConfirm, renderLogoutSuccess } from './pages.tsx';
import type { Locale } from '../i18n/translator.ts';
import { OUTBOUND_BODY_LIMIT, outboundFetch } from '../security/outbound-fetch.ts';
import { answerDependencyFailures } from './dependency-failures.ts';
import { apiKeyIntrospection, type ApiKeyIntrospector } from '../apikeys/introspection.ts';
import { accountApiTokenClaims } from '../account-api/dpop.ts';
import { clientBasedCors } from './client-cors.ts';
import { CLIENT_AUTH_SIGNING_ALGORITHMS, ID_TOKEN_ALGORITHMS, REFRESH_TOKEN_TTL_METADATA, refreshTokenTtl, validateExtraClientMetadata } from '../databases/client-metadata.ts';
import { addDatabaseAccessPrompt, databaseApiResourceServer, databaseRegistration, keepErrorsAtTheIdp, membershipClaims, type DatabaseAccess } from '../databases/oidc-glue.ts';
import { TRUSTED_CLIENT_METADATA } from '../databases/database-service.ts';
import { ACR_VALUES, requirePasskeyWhenAsked } from './acr.ts';
import { sessionTtl, signInAgainAfterLifetime } from '../security/session-lifetime.ts';

export const PORTAL_CLIENT_ID = 'latchkey-portal';

/** How long a sign-in page (an interaction) may take. */
const INTERACTION_TTL_SECONDS = 30 * 60;

export interface ProviderSettings {
  /** Read when the provider is built (the issuer may depend on the port bound at start). */
  issuer: () => string;
  /** Redirect URIs of the browser extension (chromiumapp.org / Firefox). */
  extensionRedirectUris: string[];
  production: boolean;
  trustProxy: boolean;
  /** Bound of each outgoing request (back-channel logout, request objects): IDP_OUTBOUND_TIMEOUT_MS. */
  outboundTimeoutMs?: number;
  /** IDP_LOCALES: the languages of the pages oidc-provider renders (errors, logout, 404). */
  locales: readonly Locale[];
}

/** Everything the provider needs from the rest of the IdP. */
export interface ProviderPorts {
  /** The storage of each oidc-provider model (the SQL store, or Redis for short-lived ones). */
  adapterFactory: (model: string) => Adapter;
  /** Signing keys and cookie secrets; `version` moves when the keys rotate, `ensure` creates the first ones. */
  keys: { ensure(): Promise<void>; version(): Promise<number>; jwks(): Promise<{ keys: JWK[] }>; cookieSecrets(): Promise<string[]> };
  findAccount(accountId: string): Promise<Account | undefined>;
  databaseAccess: DatabaseAccess;
  apiKeyIntrospection: ApiKeyIntrospector;
  /** A signed-in session completed an authorization: activity of that browser (devices list). */
  recordSessionActivity(input: { uid: string; accountId: string; userAgent?: string; ip?: string }): Promise<void>;
}

function buildConfiguration(settings: ProviderSettings, ports: ProviderPorts, issuer: string, jwks: { keys: JWK[] }, cookieKeys: string[]): Configuration {
  const { databaseAccess } = ports;
  const secure = issuer.startsWith('https:');
  const apiResource = `${issuer}${ACCOUNT_API_RESOURCE_PATH}`;
  return {
    adapter: ports.adapterFactory,
    clients: [
      {
        client_id: PORTAL_CLIENT_ID,
        client_name: 'Latchkey account portal',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${issuer}/my/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        first_party: true,
        [TRUSTED_CLIENT_METADATA]: true,
      },
      {
        client_id: EXTENSION_CLIENT_ID,
        client_name: 'Latchkey browser extension',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: settings.extensionRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        first_party: true,
        [TRUSTED_CLIENT_METADATA]: true,
      },
    ],
    // The extension's background calls the token and revocation endpoints with its extension origin.
    clientBasedCORS: clientBasedCors(settings.extensionRedirectUris),
    // first_party: consent is silent. trusted: authorization errors may be redirected to the client
    // before anyone signed in (databases/oidc-glue.ts keepErrorsAtTheIdp); only the operator sets it.
    extraClientMetadata: {
      properties: ['first_party', REFRESH_TOKEN_TTL_METADATA, TRUSTED_CLIENT_METADATA],
      validator: (_ctx, key, value) => validateExtraClientMetadata(key, value),
    },
    jwks: jwks as Configuration['jwks'],
    cookies: {
      keys: cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', secure },
      short: { httpOnly: true, sameSite: 'lax', secure },
    },
    claims: {
      // acr and amr with every ID token (oidc-provider gives them only when asked for otherwise): how the
      // person signed in, so a database can tell a passkey sign-in from a password one.
      openid: ['sub', 'acr', 'amr'],
      email: ['email', 'email_verified'],
      // login and role: the membership of the account in the database asking (absent for other clients).
      profile: ['name', 'locale', 'zoneinfo', 'updated_at', 'login', 'role'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', ACCOUNT_API_SCOPE],
    // ID tokens say how the person signed in: `amr` (RFC 8176: pwd, otp, hwk/swk + user + pop for a
    // passkey) and `acr` (oidc/acr.ts: phrh/phr for passkeys), so a database can ask for a passkey.
    acrValues: ACR_VALUES,
    async findAccount(ctx, sub) {
      const account = await ports.findAccount(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims(_use: string, _scope: string, _claims: Record<string, ClaimsParameterMember | null>, _rejected: string[]) {
          return {
            sub: account.id,
            email: account.email,
            email_verified: Boolean(account.emailVerifiedAt),
            name: account.name,
            locale: account.locale,
            zoneinfo: account.timezone,
            updated_at: account.updatedAt,
            ...(await membershipClaims(databaseAccess, ctx, account.id)),
          };
        },
      };
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: signInAgainAfterLifetime(requirePasskeyWhenAsked(addDatabaseAccessPrompt(interactionPolicy.base(), databaseAccess))),
    },
    features: {
      devInteractions: { enabled: false },
      // A client may revoke only tokens issued to itself.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: {
        enabled: true,
        // A client may introspect only tokens issued to itself (API keys are answered separately, for
        // the databases they allow; see apikeys/introspection.ts).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      clientCredentials: { enabled: true },
      registration: databaseRegistration(databaseAccess),
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          // Signed in: the account's own language (as on the portal's pages).
          const accountId = ctx.oidc.session?.accountId;
          const account = accountId ? await ports.findAccount(accountId).catch(() => undefined) : undefined;
          renderLogoutConfirm(ctx, oidcLanguage(ctx, settings.locales, account?.locale), form);
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => renderLogoutSuccess(ctx, oidcLanguage(ctx, settings.locales)),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          const databaseApi = await databaseApiResourceServer(databaseAccess, issuer, resourceIndicator, client?.clientId);
          if (databaseApi) return databaseApi;
          if (resourceIndicator !== apiResource) throw new oidcErrors.InvalidTarget();
          // The account API can rotate keys and end sessions: only our own extension may hold tokens
          // for it. A database (first-party, so consent is silent) must never get one for its members.
          if (client?.clientId !== EXTENSION_CLIENT_ID) throw new oidcErrors.InvalidTarget('this client may not request the account API');
          return {
            scope: ACCOUNT_API_SCOPE,
            audience: apiResource,
            accessTokenTTL: 10 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // ID tokens carry the scope's claims (email, name, and for databases login and role) even when an
    // access token is issued too, so relying parties need not call userinfo.
    conformIdTokenClaims: false,
    // Account API tokens carry auth_time so the API can ask for a recent sign-in (RFC 9470 step-up),
    // and sid so it knows the caller's own session (devices).
    async extraTokenClaims(ctx, token) {
      return accountApiTokenClaims(ctx, token as never, apiResource);
    },
    // Back-channel logout to databases: loopback allowed outside production only (see outbound-fetch.ts).
    fetch: outboundFetch({ production: settings.production, timeoutMs: settings.outboundTimeoutMs }),
    // What a database's own server sends back is read up to a bound: a self-service database could
    // otherwise stream an endless JWKS into the IdP's memory for the whole outbound timeout.
    fetchResponseBodyLimits: { 'client_id metadata document': 5 * 1024, jwks_uri: OUTBOUND_BODY_LIMIT, sector_identifier_uri: OUTBOUND_BODY_LIMIT },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    // The extension is a first-party public client whose tokens are DPoP-bound: it gets a refresh token
    // without the consent prompt that offline_access otherwise requires.
    async issueRefreshToken(_ctx, client, source) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return source.scopes.has('offline_access') || client.clientId === EXTENSION_CLIENT_ID;
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      return undefined;
    },
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      ClientCredentials: 10 * 60,
      IdToken: 60 * 60,
      Interaction: INTERACTION_TTL_SECONDS,
      // Absolute: 14 days from the sign-in however often /auth re-saves it (security/session-lifetime.ts).
      Session: (ctx, session) => sessionTtl(session.loginTs, ctx.oidc.entities.Interaction !== undefined, INTERACTION_TTL_SECONDS),
      Grant: 14 * 24 * 3600,
      RefreshToken: refreshTokenTtl,
      DeviceCode: 10 * 60,
      BackchannelAuthenticationRequest: 10 * 60,
    },
    enabledJWA: {
      // What databases may choose (client-metadata.ts); ES256 stays the default below.
      idTokenSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      userinfoSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      introspectionSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      authorizationSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      // Advertised in discovery, and each one is exercised by test/e2e/discovery-self-test.test.ts.
      clientAuthSigningAlgValues: [...CLIENT_AUTH_SIGNING_ALGORITHMS],
    },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    renderError: async (ctx, out, error) => renderOidcError(ctx, oidcLanguage(ctx, settings.locales), out, error),
  };
}

/** A provider on the store's current signing keys and cookie secrets. */
async function createProvider(settings: ProviderSettings, ports: ProviderPorts): Promise<Provider> {
  const issuer = settings.issuer();
  const [jwks, cookieKeys] = await Promise.all([ports.keys.jwks(), ports.keys.cookieSecrets()]);
  const provider = new Provider(issuer, buildConfiguration(settings, ports, issuer, jwks, cookieKeys));
  provider.proxy = settings.trustProxy;
  keepErrorsAtTheIdp(provider);
  (provider as unknown as { maxIpsCount: number }).maxIpsCount = 1; // the Provider is a Koa app; see app.ts
  // The store or Redis not answering is a 503 with Retry-After, not a 500 (outermost of our middleware).
  answerDependencyFailures(provider);
  // The access log and HTTP metrics name oidc-provider's endpoints by its route names (never the path).
  provider.use(async function nameRoute(ctx, next) {
    try {
      await next();
    } finally {
      const route = (ctx as KoaContextWithOIDC).oidc?.route;
      if (route) noteRoute(`oidc:${route}`);
    }
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (typeof grantType === 'string') metrics.tokenIssued(grantType);
  });
  // A page nobody serves, asked for by a browser: our 404 page (pages.tsx), not Koa's bare text.
  provider.use(async function notFoundPage(ctx, next) {
    await next();
    if (ctx.status === 404 && ctx.body == null && (ctx.method === 'GET' || ctx.method === 'HEAD') && (ctx.get('accept') ?? '').includes('text/html')) {
      renderNotFound(ctx as KoaContextWithOIDC, oidcLanguage(ctx as KoaContextWithOIDC, settings.locales));
    }
  });
  // API keys presented by databases at /token/introspection (after oidc-provider authenticated the client).
  provider.use(apiKeyIntrospection(ports.apiKeyIntrospection, issuer));
  // Every authorization that a signed-in session completes is activity of that browser (devices list).
  // The event cannot wait; the middleware below holds the response until the row is written.
  const recording = new WeakMap<object, Promise<void>>();
  provider.use(async function awaitSessionActivity(ctx, next) {
    await next();
    await recording.get(ctx);
  });
  provider.on('authorization.success', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session;
    if (session?.accountId) {
      recording.set(ctx, ports.recordSessionActivity({ uid: session.uid, accountId: session.accountId, userAgent: ctx.get('user-agent'), ip: ctx.ip })
        .catch((error: unknown) => log.warn('recording session activity failed', { err: error })));
    }
  });
  return provider;
}

/**
 * Holds the current provider: built on first `ready()` (or `refresh()`), rebuilt when the store's key
 * version moves (`idp keys rotate` on any process or instance). `refresh()` is awaited once per request;
 * it costs one indexed read at most once a second per process.
 */
export function providerHolder(settings: ProviderSettings, ports: ProviderPorts) {
  let current: { provider: Provider; version: number } | undefined;
  let checkedAt = 0;
  let checking: Promise<void> | undefined;
  // Koa's callback() composes the middleware on every call: build it once per provider.
  let handler: ReturnType<Provider['callback']> | undefined;
  async function check(): Promise<void> {
    if (!current) await ports.keys.ensure(); // a fresh store (an operator command before the first start)
    const latest = await ports.keys.version();
    if (!current || latest !== current.version) {
      const provider = await createProvider(settings, ports);
      current = { provider, version: latest };
      handler = undefined;
    }
  }
  const once = () => (checking ??= check().finally(() => (checking = undefined)));
  function get(): Provider {
    if (!current) throw new Error('oidc-provider is not built yet: await providers.ready() first');
    return current.provider;
  }
  return {
    /** The provider, built now if it was not yet. */
    async ready(): Promise<Provider> {
      if (!current) await once();
      return current!.provider;
    },
    /** The provider if it was built, else undefined (nothing has needed it yet). */
    built(): Provider | undefined {
      return current?.provider;
    },
    /** The current provider (as of the last refresh); `ready()` must have been awaited once. */
    get,
    /** Builds the provider, or rebuilds it when the keys changed; concurrent requests share one check. */
    async refresh(): Promise<void> {
      const now = Date.now();
      if (current && now - checkedAt < 1000) return;
      checkedAt = now;
      await once();
    },
    /** The current provider's request handler (for everything our router does not serve). */
    callback(): ReturnType<Provider['callback']> {
      handler ??= get().callback();
      return handler;
    },
  };
}

export type ProviderHolder = ReturnType<typeof providerHolder>;

/**
 * The relying parties as the current provider knows them, for the session service. Nothing is sent
 * while no provider was built (an operator command that needed none).
 */
export function relyingParties(providers: Pick<ProviderHolder, 'built'>): RelyingParties {
  return {
    async backchannelLogout(clientId, sub, sid) {
      const provider = providers.built();
      const client = provider && await provider.Client.find(clientId);
      if (!client?.backchannelLogoutUri) return false;
      // Not in @types/oidc-provider, but a documented part of the Client model (end_session uses it).
      await (client as unknown as { backchannelLogout(sub: string, sid?: string): Promise<void> }).backchannelLogout(sub, sid);
      return true;
    },
    async clientName(clientId) {
      const client = await providers.built()?.Client.find(clientId);
      return client?.clientName as string | undefined;
    },
  };
}
