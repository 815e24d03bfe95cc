import { describe, expect, it } from 'vitest';
import { challengeError, parseWwwAuthenticate, stepUpMaxAge } from './www-authenticate.ts';

describe('WWW-Authenticate parsing', () => {
  it('reads the RFC 9470 challenge from the contract', () => {
    expect(stepUpMaxAge('Bearer error="insufficient_user_authentication", max_age=600')).toBe(600);
    expect(stepUpMaxAge('Bearer error="insufficient_user_authentication", error_description="A, B", max_age="300"')).toBe(300);
  });

  it('returns null for other challenges', () => {
    expect(stepUpMaxAge('DPoP error="invalid_token"')).toBeNull();
    expect(stepUpMaxAge(null)).toBeNull();
  });

  it('splits several challenges', () => {
    expect(parseWwwAuthenticate('DPoP algs="ES256", error="use_dpop_nonce", Bearer realm="api"')).toEqual([
      { scheme: 'DPoP', params: { algs: 'ES256', error: 'use_dpop_nonce' } },
      { scheme: 'Bearer', params: { realm: 'api' } },
    ]);
    expect(challengeError('DPoP error="use_dpop_nonce", error_description="x"')).toBe('use_dpop_nonce');
  });
});
