/**
 * `idp database update`: fixes a database's client settings (URIs, ID token algorithm, client
 * authentication, refresh token lifetime) in place, so operators never delete and recreate a database
 * to fix a URI. Same schema and the same oidc-provider validation as `database create`; only the
 * options given change; an empty value removes an optional setting.
 */
import { databaseUpdateSchema } from '../databases/schemas.ts';
import { parseInput } from '../http/validate.ts';
import { databaseOption, issuerOf, requireDatabase, withServices, type Command } from './context.ts';

/** The client settings `database create` and `database update` share, from their options to schema fields. */
export function clientOptions(values: Record<string, unknown>) {
  return {
    redirectUris: values['redirect-uri'],
    postLogoutRedirectUris: values['post-logout-redirect-uri'],
    backchannelLogoutUri: values['backchannel-logout-uri'],
    tokenEndpointAuthMethod: values['auth-method'],
    jwksUri: values['jwks-uri'],
    idTokenSignedResponseAlg: values['id-token-alg'],
    refreshTokenTtl: values['refresh-token-ttl'],
  };
}

export const databaseUpdateCommand: Command = {
  name: 'database update',
  summary: 'Change the redirect, logout and back-channel URIs, ID token algorithm, client authentication or refresh token lifetime of a database; prints its settings.',
  options: {
    database: databaseOption,
    'redirect-uri': { help: 'redirect URI (repeatable); replaces every current one', multiple: true, arg: 'R' },
    'post-logout-redirect-uri': { help: 'post-logout redirect URI (repeatable); replaces every current one', multiple: true, arg: 'P' },
    'backchannel-logout-uri': { help: 'back-channel logout URI ("" removes it)', arg: 'B' },
    'auth-method': { help: 'client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt', arg: 'M' },
    'jwks-uri': { help: 'the database\'s public keys (private_key_jwt)', arg: 'J' },
    'id-token-alg': { help: 'ES256, RS256 or EdDSA', arg: 'A' },
    'refresh-token-ttl': { help: 'seconds a refresh token lives unused, 300 to 1209600 ("" for the default, 14 days)', arg: 'S' },
  },
  run: async (values, config) => {
    // Bad input is refused before the store is opened.
    const changes = parseInput(databaseUpdateSchema, clientOptions(values));
    return await withServices(config, async (services) => {
      const database = await requireDatabase(services, values.database);
      const { settings, clientSecret } = await services.databases.updateClient(database.id, changes, { kind: 'operator' });
      return {
        name: database.name,
        issuer: issuerOf(config),
        client_id: database.clientId,
        ...(clientSecret ? { client_secret: clientSecret } : {}),
        redirect_uris: settings.redirectUris,
        post_logout_redirect_uris: settings.postLogoutRedirectUris,
        backchannel_logout_uri: settings.backchannelLogoutUri ?? null,
        token_endpoint_auth_method: settings.tokenEndpointAuthMethod,
        jwks_uri: settings.jwksUri ?? null,
        id_token_signed_response_alg: settings.idTokenSignedResponseAlg,
        refresh_token_ttl: settings.refreshTokenTtl ?? null,
      };
    });
  },
};
