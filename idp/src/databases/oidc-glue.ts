/**
 * How databases plug into oidc-provider:
 * - the `database_access` prompt: after sign-in, an account that is not an active member of the
 *   database behind the client is stopped (our page explains it, the client gets `access_denied`;
 *   with prompt=none it gets `access_denied` at once). It runs on every authorization request, so a
 *   removed member loses access even with a live IdP session and an earlier grant;
 * - the `login` and `role` claims of the membership (in the `profile` scope);
 * - the database API resource (client credentials, opaque tokens, only for database clients);
 * - dynamic client registration (RFC 7591) with single-use initial access tokens that name an owner.
 * The portal and the extension are not databases and pass through untouched.
 */
import { errors as oidcErrors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { isAppError } from '../errors.ts';
import { DATABASE_REGISTRATION_POLICY } from './database-service.ts';
import { newDatabaseSchema } from './schemas.ts';
import { DATABASE_GRANT_TYPES, DEFAULT_ID_TOKEN_ALGORITHM, newClientSecret, REFRESH_TOKEN_TTL_METADATA } from './client-metadata.ts';
import { randomId } from '../security/tokens.ts';
import type { DatabaseService } from './database-service.ts';

export const DATABASE_ACCESS_PROMPT = 'database_access';
export const DATABASE_API_PATH = '/database-api';
export const DATABASE_API_SCOPES = { read: 'members:read', write: 'members:write' } as const;

type Policy = ReturnType<typeof interactionPolicy.base>;

/** What the provider asks of the databases module. */
export type DatabaseAccess = Pick<DatabaseService, 'isDatabaseClient' | 'membershipForClient' | 'findByName' | 'takeRegistrationToken' | 'recordRegisteredClient'>;

/** Adds the membership check right after the login prompt. */
export function addDatabaseAccessPrompt(policy: Policy, databases: DatabaseAccess): Policy {
  const { Prompt, Check } = interactionPolicy;
  const at = policy.findIndex((p) => p.name === 'login') + 1;
  policy.add(new Prompt(
    { name: DATABASE_ACCESS_PROMPT, requestable: false },
    new Check('not_a_member', 'this account is not a member of this database', 'access_denied', async (ctx: KoaContextWithOIDC) => {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId || !await databases.isDatabaseClient(clientId)) return Check.NO_NEED_TO_PROMPT;
      return await databases.membershipForClient(clientId, accountId) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  ), at);
  return policy;
}

/** The membership claims of `accountId` for the client of this request, or nothing. */
export async function membershipClaims(databases: DatabaseAccess, ctx: KoaContextWithOIDC | undefined, accountId: string): Promise<{ login?: string; role?: string }> {
  const clientId = ctx?.oidc?.client?.clientId;
  const membership = clientId ? await databases.membershipForClient(clientId, accountId) : undefined;
  return membership ? { login: membership.login, role: membership.role } : {};
}

/** Resource server info for the database API, or undefined when `indicator` is another resource. */
export async function databaseApiResourceServer(databases: DatabaseAccess, issuer: string, indicator: string, clientId: string | undefined) {
  if (indicator !== `${issuer}${DATABASE_API_PATH}`) return undefined;
  if (!clientId || !await databases.isDatabaseClient(clientId)) throw new oidcErrors.InvalidTarget('only databases may use the database API');
  return {
    scope: `${DATABASE_API_SCOPES.read} ${DATABASE_API_SCOPES.write}`,
    audience: indicator,
    accessTokenTTL: 10 * 60,
    accessTokenFormat: 'opaque' as const,
  };
}

type Registration = NonNullable<NonNullable<Configuration['features']>['registration']>;

/**
 * Dynamic client registration: only with an initial access token from `idp registration-token create`,
 * used once; the client becomes a database owned by the token's owner. The registrant chooses
 * `client_name` (the database name), `client_uri` (its URL) and its URIs; everything that makes it a
 * database (first party, code flow, confidential authentication) is set here.
 */
export function databaseRegistration(databases: DatabaseAccess): Registration {
  return {
    enabled: true,
    initialAccessToken: true,
    issueRegistrationAccessToken: false,
    idFactory: () => randomId('db_'),
    secretFactory: async () => newClientSecret(),
    policies: {
      async [DATABASE_REGISTRATION_POLICY](ctx: KoaContextWithOIDC, properties: Record<string, unknown>) {
        const token = ctx.oidc.entities.InitialAccessToken;
        const parsed = newDatabaseSchema.safeParse({
          name: properties.client_name,
          url: properties.client_uri,
          redirectUris: properties.redirect_uris,
          tokenEndpointAuthMethod: properties.token_endpoint_auth_method ?? 'client_secret_basic',
          jwksUri: properties.jwks_uri,
          idTokenSignedResponseAlg: properties.id_token_signed_response_alg ?? DEFAULT_ID_TOKEN_ALGORITHM,
          refreshTokenTtl: properties[REFRESH_TOKEN_TTL_METADATA],
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = ({ name: 'client_name', url: 'client_uri', redirectUris: 'redirect_uris', tokenEndpointAuthMethod: 'token_endpoint_auth_method', jwksUri: 'jwks_uri', idTokenSignedResponseAlg: 'id_token_signed_response_alg', refreshTokenTtl: REFRESH_TOKEN_TTL_METADATA } as Record<string, string>)[String(issue.path[0])] ?? 'metadata';
          throw new oidcErrors.InvalidClientMetadata(`${field}: ${issue.message}`);
        }
        if (await databases.findByName(parsed.data.name)) throw new oidcErrors.InvalidClientMetadata(`client_name: a database named "${parsed.data.name}" already exists`);
        Object.assign(properties, {
          client_name: parsed.data.name,
          client_uri: parsed.data.url,
          grant_types: DATABASE_GRANT_TYPES,
          response_types: ['code'],
          token_endpoint_auth_method: parsed.data.tokenEndpointAuthMethod,
          id_token_signed_response_alg: parsed.data.idTokenSignedResponseAlg,
          first_party: true,
        });
        if (properties.backchannel_logout_uri) properties.backchannel_logout_session_required ??= true;
        await ctx.oidc.provider.Client.validate(properties as never);
        // Single use: the owner is taken (and the token forgotten) atomically before anything is stored.
        const owner = token && await databases.takeRegistrationToken(token.jti);
        if (!owner) throw new oidcErrors.InvalidToken('initial access token already used');
        await token.destroy();
        try {
          await databases.recordRegisteredClient(owner, properties);
        } catch (error) {
          if (isAppError(error) && error.expose) throw new oidcErrors.InvalidClientMetadata(error.message);
          throw error;
        }
      },
    },
  };
}
