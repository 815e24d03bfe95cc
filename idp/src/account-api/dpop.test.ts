import { describe, expect, it } from 'vitest';
import { accountApiTokenClaims } from './dpop.ts';

const API = 'https://idp.example/api';

describe('account API access token claims', () => {
  it('adds auth_time and the session uid as sid for the account API only', () => {
    const ctx = { oidc: { entities: { AuthorizationCode: { authTime: 1700000000 } } } };
    expect(accountApiTokenClaims(ctx, { sessionUid: 'sess-1', resourceServer: { audience: API } }, API)).toEqual({ auth_time: 1700000000, sid: 'sess-1' });
    expect(accountApiTokenClaims(ctx, { sessionUid: 'sess-1', resourceServer: { audience: 'https://db.example' } }, API)).toBeUndefined();
  });
  it('takes the refresh token sign-in time on refresh, and leaves out what is unknown', () => {
    const ctx = { oidc: { entities: { RefreshToken: { authTime: 1700000100 } } } };
    expect(accountApiTokenClaims(ctx, { resourceServer: { audience: API } }, API)).toEqual({ auth_time: 1700000100 });
    expect(accountApiTokenClaims(undefined, { resourceServer: { audience: API } }, API)).toEqual({});
  });
});
