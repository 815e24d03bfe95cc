/**
 * Outgoing requests of oidc-provider (back-channel logout, request objects). The library blocks
 * special-use addresses (loopback, private ranges) against SSRF. In production that stays; outside
 * production a relying party on the loopback interface (a database under development, a test) may be
 * reached, and only on loopback.
 *
 * Each request is bounded by `timeoutMs` (IDP_OUTBOUND_TIMEOUT_MS), replacing the library's fixed 2.5 s:
 * a relying party that never answers its back-channel logout cannot hold the logout for longer.
 */
import type { Configuration } from 'oidc-provider';

/** Bytes of a JWKS or sector identifier document the IdP reads from a relying party's server (a JWKS of a few keys is 1–3 KiB). */
export const OUTBOUND_BODY_LIMIT = 64 * 1024;

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function outboundFetch(options: { production: boolean; timeoutMs?: number }): NonNullable<Configuration['fetch']> {
  const timeoutMs = options.timeoutMs ?? 2500;
  return (url, init) => {
    const bounded = { ...(init ?? {}), signal: AbortSignal.timeout(timeoutMs) } as RequestInit & { dispatcher?: unknown };
    if (!options.production && LOOPBACK.test(new URL(url instanceof Request ? url.url : url).hostname)) {
      const { dispatcher: _ssrfGuard, ...rest } = bounded;
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, bounded);
  };
}
