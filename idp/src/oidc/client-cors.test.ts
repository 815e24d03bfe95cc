import { describe, expect, it } from 'vitest';
import { EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';
import { clientBasedCors, extensionOrigins } from './client-cors.ts';

const CHROME_ID = 'fidbdcnbmjdaepbknnhbpdanaoaiacmc';
const CHROME = `https://${CHROME_ID}.chromiumapp.org/`;
const FIREFOX = 'https://27174eb0bf3233301bebb4ca6741278b3007149b.extensions.allizom.org/';
const ctx = (route = 'token') => ({ oidc: { route } }) as never;
const client = (clientId: string, clientAuthMethod: string, redirectUris: string[]) => ({ clientId, clientAuthMethod, redirectUris }) as never;

describe('client-based CORS', () => {
  it('lets the extension client in from its own extension origins only', () => {
    const allowed = clientBasedCors([CHROME, FIREFOX]);
    const extension = client(EXTENSION_CLIENT_ID, 'none', [CHROME, FIREFOX]);
    expect(allowed(ctx(), `chrome-extension://${CHROME_ID}`, extension)).toBe(true);
    expect(allowed(ctx(), 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', extension)).toBe(false);
    expect(allowed(ctx(), 'moz-extension://0c9e3d6a-5b7f-4d8e-9a1b-2c3d4e5f6a7b', extension)).toBe(true);
    expect(allowed(ctx(), `https://${CHROME_ID}.chromiumapp.org`, extension)).toBe(false);
    expect(allowed(ctx(), 'https://evil.example', extension)).toBe(false);
    expect(allowed(ctx(), 'null', extension)).toBe(false);
    // Without a Firefox redirect URI, no Firefox origin.
    expect(clientBasedCors([CHROME])(ctx(), 'moz-extension://0c9e3d6a-5b7f-4d8e-9a1b-2c3d4e5f6a7b', extension)).toBe(false);
  });

  it("keeps oidc-provider's default for other clients", () => {
    const allowed = clientBasedCors([CHROME]);
    expect(allowed(ctx(), 'https://app.example', client('spa', 'none', ['https://app.example/cb']))).toBe(true);
    expect(allowed(ctx(), 'https://other.example', client('spa', 'none', ['https://app.example/cb']))).toBe(false);
    expect(allowed(ctx(), 'https://db.example', client('db', 'client_secret_basic', ['https://db.example/cb']))).toBe(false);
    expect(allowed(ctx('userinfo'), 'https://db.example', client('db', 'client_secret_basic', ['https://db.example/cb']))).toBe(true);
    expect(allowed(ctx(), `chrome-extension://${CHROME_ID}`, client('db', 'none', ['https://db.example/cb']))).toBe(false);
  });

  it('reads the Chrome extension ids from chromiumapp.org redirect URIs', () => {
    expect(extensionOrigins([CHROME, FIREFOX, 'https://example.com/cb'])).toEqual({ chrome: new Set([`chrome-extension://${CHROME_ID}`]), firefox: true });
  });
});
