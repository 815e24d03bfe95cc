/**
 * The one rule for the addresses a database's client may name: its URL (`client_uri`), redirect URIs,
 * post-logout redirect URIs, back-channel logout URI and JWKS URI. Creation (portal, operator command),
 * dynamic registration (RFC 7591) and any later change of a client's settings call `checkClientUris`,
 * so no path can register an address another path would refuse.
 *
 * Invariants:
 * - Every address is https, or http on a loopback host (`localhost`, `127.0.0.1`, `[::1]`, RFC 8252
 *   §7.3): an http redirect URI hands codes to anyone on the network path (RFC 9700 §4.1.1, §2.6).
 * - Self-service databases (portal, registration) never get a non-loopback http address, in any mode.
 * - The operator command may use one outside production only (a development setup without TLS); with
 *   NODE_ENV=production it is refused there too.
 * - No address carries credentials (`user:pass@`) or a fragment. The schemas (schemas.ts) already make
 *   sure each one is an absolute http(s) URL; this file decides which of those a database may have.
 */
import { AppError } from '../errors.ts';

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface ClientUris {
  url?: string;
  redirectUris?: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  backchannelLogoutUri?: string;
  jwksUri?: string;
}

export interface UriPolicy {
  /** True for databases made by an account (portal) or a database app (registration); false for the operator. */
  selfService: boolean;
  /** NODE_ENV=production. */
  production: boolean;
}

/** The field names of each address, for forms (`fields`) and for registration errors (client metadata). */
export const URI_FIELDS = {
  url: { label: 'database URL', metadata: 'client_uri' },
  redirectUris: { label: 'redirect URI', metadata: 'redirect_uris' },
  postLogoutRedirectUris: { label: 'post-logout redirect URI', metadata: 'post_logout_redirect_uris' },
  backchannelLogoutUri: { label: 'back-channel logout URI', metadata: 'backchannel_logout_uri' },
  jwksUri: { label: 'JWKS URI', metadata: 'jwks_uri' },
} as const satisfies Record<keyof ClientUris, { label: string; metadata: string }>;

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Why `value` may not be this database's address, or undefined when it may. */
export function uriProblem(value: string, label: string, policy: UriPolicy): string | undefined {
  if (!URL.canParse(value)) return `The ${label} ${value} is not a valid address.`;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `The ${label} ${value} must be an https:// address.`;
  if (url.username || url.password) return `The ${label} must not contain a user name or password.`;
  if (url.hash || value.includes('#')) return `The ${label} must not contain a #fragment.`;
  if (url.protocol === 'https:' || isLoopback(url)) return undefined;
  if (policy.selfService) {
    return `The ${label} ${value} must be an https:// address (http:// is allowed only for localhost, 127.0.0.1 and [::1]).`;
  }
  if (policy.production) {
    return `The ${label} ${value} must be an https:// address in production (http:// is allowed only for localhost, 127.0.0.1 and [::1]).`;
  }
  return undefined;
}

/**
 * Throws `invalid_input` (400) naming the first address the policy refuses, with `fields` keyed by the
 * ClientUris name and `metadata` set to the client metadata name (for RFC 7591 errors).
 */
export function checkClientUris(uris: ClientUris, policy: UriPolicy): void {
  for (const key of Object.keys(URI_FIELDS) as (keyof ClientUris)[]) {
    const value = uris[key];
    const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
    for (const one of values) {
      const problem = uriProblem(one, URI_FIELDS[key].label, policy);
      if (problem) throw new ClientUriError(problem, key);
    }
  }
}

/** The refusal of `checkClientUris`: an ordinary 400 that also says which metadata field was wrong. */
export class ClientUriError extends AppError {
  readonly metadataField: string;
  constructor(message: string, key: keyof ClientUris) {
    super('invalid_input', message, { fields: { [key]: message } });
    this.metadataField = URI_FIELDS[key].metadata;
  }
}
