/** The one rule for a database's addresses: https, or http on loopback; the operator gets http outside production only. */
import { describe, expect, it } from 'vitest';
import { checkClientUris, ClientUriError, uriProblem } from './redirect-uri-policy.ts';
import { mayRedirectError } from './oidc-glue.ts';

const selfService = { selfService: true, production: false };
const operatorDev = { selfService: false, production: false };
const operatorProd = { selfService: false, production: true };

describe('redirect URI policy', () => {
  it('accepts https everywhere and http only on loopback hosts, for everyone', () => {
    for (const policy of [selfService, operatorDev, operatorProd]) {
      for (const ok of ['https://acme.example/callback', 'http://localhost:4000/callback', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb']) {
        expect({ ok, problem: uriProblem(ok, 'redirect URI', policy) }).toEqual({ ok, problem: undefined });
      }
    }
  });

  it('refuses non-loopback http to self-service databases always, and to the operator in production', () => {
    const uri = 'http://acme.example/callback';
    expect(uriProblem(uri, 'redirect URI', selfService)).toMatch(/must be an https:\/\/ address \(http:\/\/ is allowed only for localhost/);
    expect(uriProblem(uri, 'redirect URI', operatorProd)).toMatch(/https:\/\/ address in production/);
    expect(uriProblem(uri, 'redirect URI', operatorDev)).toBeUndefined();
    // Look-alikes of loopback are not loopback.
    expect(uriProblem('http://localhost.attacker.example/cb', 'redirect URI', selfService)).toBeDefined();
    expect(uriProblem('http://127.0.0.1.nip.io/cb', 'redirect URI', selfService)).toBeDefined();
  });

  it('refuses credentials, fragments and other schemes whoever asks', () => {
    for (const policy of [selfService, operatorDev]) {
      expect(uriProblem('https://user:pw@acme.example/cb', 'redirect URI', policy)).toMatch(/user name or password/);
      expect(uriProblem('https://acme.example/cb#x', 'redirect URI', policy)).toMatch(/fragment/);
      expect(uriProblem('javascript:alert(1)', 'redirect URI', policy)).toMatch(/https:\/\//);
    }
  });

  it('checks every address of a client and names the field that was refused', () => {
    const good = { url: 'https://acme.example', redirectUris: ['https://acme.example/cb'], postLogoutRedirectUris: ['https://acme.example/'] };
    expect(() => checkClientUris(good, selfService)).not.toThrow();
    const cases = [
      [{ ...good, url: 'http://acme.example' }, 'url', 'client_uri'],
      [{ ...good, redirectUris: ['https://acme.example/cb', 'http://acme.example/cb'] }, 'redirectUris', 'redirect_uris'],
      [{ ...good, postLogoutRedirectUris: ['http://acme.example/'] }, 'postLogoutRedirectUris', 'post_logout_redirect_uris'],
      [{ ...good, backchannelLogoutUri: 'http://acme.example/bc' }, 'backchannelLogoutUri', 'backchannel_logout_uri'],
      [{ ...good, jwksUri: 'http://acme.example/jwks' }, 'jwksUri', 'jwks_uri'],
    ] as const;
    for (const [uris, field, metadata] of cases) {
      const error = (() => { try { checkClientUris(uris, selfService); } catch (e) { return e; } return undefined; })();
      expect(error).toBeInstanceOf(ClientUriError);
      expect({ field, fields: Object.keys((error as ClientUriError).fields ?? {}), metadata: (error as ClientUriError).metadataField, status: (error as ClientUriError).status })
        .toEqual({ field, fields: [field], metadata, status: 400 });
    }
  });
});

describe('where authorization errors go', () => {
  it('redirects to a trusted client always, to another only answers about a signed-in person', () => {
    expect(mayRedirectError({ trusted: true, signedIn: false, error: 'invalid_request' })).toBe(true);
    expect(mayRedirectError({ trusted: false, signedIn: false, error: 'invalid_request' })).toBe(false);
    expect(mayRedirectError({ trusted: false, signedIn: false, error: 'login_required' })).toBe(false);
    expect(mayRedirectError({ trusted: false, signedIn: false, error: 'access_denied' })).toBe(false);
    expect(mayRedirectError({ trusted: false, signedIn: true, error: 'invalid_request' })).toBe(false);
    expect(mayRedirectError({ trusted: false, signedIn: true, error: 'invalid_scope' })).toBe(false);
    expect(mayRedirectError({ trusted: false, signedIn: true, error: 'access_denied' })).toBe(true);
    expect(mayRedirectError({ trusted: false, signedIn: true, error: 'login_required' })).toBe(true);
  });
});
