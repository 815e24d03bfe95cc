/**
 * Seeds OIDC clients straight into the store (the databases issue adds the real registration paths),
 * and gives openid-client's view of a client (the test IdP listens on plain-HTTP loopback, which
 * openid-client only accepts when told).
 */
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import { EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import { StoreOidcAdapter } from '../../idp/src/storage/oidc-adapter.ts';
import type { TestIdp } from './idp.ts';

export interface SeededClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export async function seedClient(idp: TestIdp, metadata: Record<string, unknown> = {}): Promise<SeededClient> {
  const clientId = `test-${crypto.randomBytes(6).toString('hex')}`;
  const clientSecret = crypto.randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9/callback';
  await new StoreOidcAdapter('Client', idp.services.db, idp.services.box).upsert(clientId, {
    client_id: clientId,
    client_secret: clientSecret,
    client_name: 'Test App',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: ['http://127.0.0.1:9/'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    // Written by hand into the store, as only the operator can: trusted, so its errors are redirected
    // to it as to an operator-made database (databases/oidc-glue.ts keepErrorsAtTheIdp).
    ...({ trusted: true } as Record<string, unknown>),
    ...metadata,
  }, 0);
  return { clientId, clientSecret, redirectUri };
}

/** A confidential client (client_secret_basic) as openid-client sees it after discovery. */
export function discoverClient(idp: { issuer: string }, client: { clientId: string; clientSecret: string }): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(idp.issuer), client.clientId, client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
}

/** The browser extension, a public client (no secret), as openid-client sees it after discovery. */
export function discoverExtension(idp: { issuer: string }): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(idp.issuer), EXTENSION_CLIENT_ID, {}, oidc.None(), { execute: [oidc.allowInsecureRequests] });
}
