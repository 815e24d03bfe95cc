import { afterEach, describe, expect, it } from 'vitest';
import { clock, nowSeconds } from '../clock.ts';
import { assertRecentAuth, isRecentAuth } from './reauth.ts';

afterEach(() => { clock.offsetMs = 0; });

describe('re-authentication window', () => {
  it('accepts a sign-in of the last 10 minutes and refuses an older or missing one', () => {
    const signedIn = nowSeconds();
    expect(isRecentAuth(signedIn)).toBe(true);
    clock.offsetMs = 9 * 60 * 1000;
    expect(() => assertRecentAuth(signedIn)).not.toThrow();
    clock.offsetMs = 11 * 60 * 1000;
    expect(isRecentAuth(signedIn)).toBe(false);
    expect(() => assertRecentAuth(signedIn)).toThrow(expect.objectContaining({ code: 'reauthentication_required', status: 401 }));
    expect(() => assertRecentAuth(undefined)).toThrow(/confirm it is you/);
  });
  it('tells API callers the RFC 9470 challenge', () => {
    try {
      assertRecentAuth(0);
    } catch (error) {
      expect((error as { headers: Record<string, string> }).headers['WWW-Authenticate']).toContain('insufficient_user_authentication');
    }
  });
});
