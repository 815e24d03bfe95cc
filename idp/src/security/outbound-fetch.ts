/**
 * Outgoing requests of oidc-provider (back-channel logout, request objects). The library blocks
 * special-use addresses (loopback, private ranges) against SSRF. In production that stays; outside
 * production a relying party on the loopback interface (a database under development, a test) may be
 * reached, and only on loopback.
 */
import type { Configuration } from 'oidc-provider';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function outboundFetch(options: { production: boolean }): NonNullable<Configuration['fetch']> {
  return (url, init) => {
    if (!options.production && LOOPBACK.test(new URL(url instanceof Request ? url.url : url).hostname)) {
      const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, init);
  };
}
