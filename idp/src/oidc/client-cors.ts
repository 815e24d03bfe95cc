/**
 * oidc-provider's `clientBasedCORS`: which browser origins may call the token, revocation and userinfo
 * endpoints for a client. oidc-provider enforces it on the server: a request with an `Origin` the client
 * does not allow is refused ("origin … not allowed for client").
 *
 * The browser extension's background sends `Origin: chrome-extension://<id>` (Chrome) or
 * `moz-extension://<uuid>` (Firefox). The Chrome ID is the host of its `<id>.chromiumapp.org` redirect
 * URI, so exactly those origins are allowed. Firefox picks a random UUID per installation, so any
 * `moz-extension:` origin is allowed while a Firefox redirect URI (`*.extensions.allizom.org`) is
 * configured: web pages can never send such an origin, and the client is public with PKCE and DPoP, so
 * the origin check adds nothing against another extension (which bypasses CORS with host permissions).
 *
 * Every other client keeps oidc-provider's default: public clients and userinfo allow the origins of
 * the client's redirect URIs; confidential clients allow none.
 */
import type { Configuration } from 'oidc-provider';
import { EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';

const CHROMIUM_REDIRECT = /^https:\/\/([a-p]{32})\.chromiumapp\.org\/$/;
const FIREFOX_REDIRECT = /^https:\/\/[0-9a-f]{40}\.extensions\.allizom\.org\/$/;
const FIREFOX_ORIGIN = /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function extensionOrigins(redirectUris: string[]): { chrome: Set<string>; firefox: boolean } {
  const chrome = new Set(redirectUris.flatMap((uri) => {
    const id = CHROMIUM_REDIRECT.exec(uri)?.[1];
    return id ? [`chrome-extension://${id}`] : [];
  }));
  return { chrome, firefox: redirectUris.some((uri) => FIREFOX_REDIRECT.test(uri)) };
}

export function clientBasedCors(extensionRedirectUris: string[]): NonNullable<Configuration['clientBasedCORS']> {
  const extension = extensionOrigins(extensionRedirectUris);
  return function clientBasedCORS(ctx, origin, client) {
    if (origin === 'null') return false;
    if (client.clientId === EXTENSION_CLIENT_ID) {
      return extension.chrome.has(origin) || (extension.firefox && FIREFOX_ORIGIN.test(origin));
    }
    if (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') {
      return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
    }
    return false;
  };
}
