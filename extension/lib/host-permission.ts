/**
 * The match pattern that grants the extension an IdP origin, spelled the way each engine matches it.
 *
 * Chromium's match patterns may carry a port and then match only that port. Firefox's never carry one:
 * `http://localhost:3000/*` is accepted by `permissions.request` but matches no URL at all, so every
 * account-API call failed with a NetworkError (discovery and the token endpoint only worked because the
 * IdP answers CORS for `moz-extension:` origins). Firefox therefore asks for the host on any port.
 */
export type Engine = 'chromium' | 'gecko';

export function originPattern(origin: string, engine: Engine): string {
  const url = new URL(origin);
  return engine === 'gecko' ? `${url.protocol}//${url.hostname}/*` : `${url.origin}/*`;
}

/** `moz-extension://` pages and workers run in Firefox (Gecko); everything else here is Chromium. */
export function engineOf(extensionBaseUrl: string): Engine {
  return extensionBaseUrl.startsWith('moz-extension:') ? 'gecko' : 'chromium';
}
