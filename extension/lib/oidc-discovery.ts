/** OpenID Provider metadata from `<issuer>/.well-known/openid-configuration`, checked before use. */
import { ExtensionError } from './errors.ts';
import type { FetchLike } from './dpop-fetch.ts';
import { t } from './i18n/translator.ts';

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  dpop_signing_alg_values_supported?: string[];
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

/** The issuer is the IdP URL without a trailing slash (`http://localhost:3000`). */
export function normaliseIssuer(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ExtensionError('bad_request', t('The IdP URL must start with https:// or http://.'));
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

export async function discoverProvider(issuer: string, fetchImpl: FetchLike = (u, i) => fetch(u, i)): Promise<ProviderMetadata> {
  const response = await fetchImpl(`${issuer}/.well-known/openid-configuration`, { method: 'GET', credentials: 'omit' });
  if (!response.ok) throw new ExtensionError('auth_failed', t('The IdP at {{issuer}} did not return its configuration (HTTP {{status}}).', { issuer, status: response.status }));
  const metadata = (await response.json()) as ProviderMetadata;
  // OpenID Connect Discovery §4.3: the issuer in the document must be exactly the one we asked.
  if (metadata.issuer !== issuer) throw new ExtensionError('auth_failed', t('The IdP calls itself {{actual}}, expected {{issuer}}.', { actual: String(metadata.issuer), issuer }));
  if (!metadata.authorization_endpoint || !metadata.token_endpoint) throw new ExtensionError('auth_failed', t('The IdP configuration has no authorization or token endpoint.'));
  const algs = metadata.dpop_signing_alg_values_supported;
  if (algs && !algs.includes('ES256')) throw new ExtensionError('auth_failed', t('The IdP does not accept ES256 DPoP proofs.'));
  return metadata;
}
