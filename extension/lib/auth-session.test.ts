import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { EXTENSION_CLIENT_ID } from '../../shared/account-api.ts';
import { ISSUER, REDIRECT_URI } from './fake-idp.test-helper.ts';
import { createSessionStack } from './session-stack.test-helper.ts';
import { accessTokenItem, refreshGrantItem } from './storage-items.ts';

beforeEach(() => fakeBrowser.reset());

describe('sign-in', () => {
  it('sends an authorization code + PKCE request and stores the DPoP-bound tokens', async () => {
    const { idp, session } = createSessionStack();
    await session.signIn();

    const authorize = idp.state.authorizeRequests[0]!;
    expect(Object.fromEntries(authorize)).toMatchObject({
      client_id: EXTENSION_CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access account',
      resource: `${ISSUER}/api`,
      code_challenge_method: 'S256',
    });
    expect(authorize.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.has('max_age')).toBe(false);
    expect(authorize.has('prompt')).toBe(false);

    // Refresh token persists in local storage, the access token only in session storage.
    expect(await refreshGrantItem.get()).toMatchObject({ issuer: ISSUER, refreshToken: 'rt-1', subject: 'acct-1' });
    expect(await accessTokenItem.get()).toMatchObject({ issuer: ISSUER, accessToken: 'at-1' });
    expect((await fakeBrowser.storage.local.get('accessToken')).accessToken).toBeUndefined();
    expect(await session.accessToken()).toBe('at-1');
  });

  it('rejects a response whose state does not match', async () => {
    const { idp, session } = createSessionStack();
    const consent = idp.launchWebAuthFlow;
    idp.launchWebAuthFlow = async (url: string) => (await consent(url)).replace(/state=[^&]+/, 'state=forged');
    await expect(session.signIn()).rejects.toMatchObject({ code: 'auth_failed' });
    expect(await session.isSignedIn()).toBe(false);
  });

  it('rejects a response from another issuer (RFC 9207 mix-up defence)', async () => {
    const { idp, session } = createSessionStack();
    const consent = idp.launchWebAuthFlow;
    idp.launchWebAuthFlow = async (url: string) => (await consent(url)).replace(/iss=[^&]+/, 'iss=https%3A%2F%2Fevil.test');
    await expect(session.signIn()).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('reports a closed sign-in window as cancelled', async () => {
    const { idp, session } = createSessionStack();
    idp.launchWebAuthFlow = async () => {
      throw new Error('The user did not approve access.');
    };
    await expect(session.signIn()).rejects.toMatchObject({ code: 'auth_cancelled' });
  });
});

describe('refresh rotation', () => {
  it('refreshes an expiring access token and stores the rotated refresh token every time', async () => {
    const { idp, session } = createSessionStack({ accessTokenLifetime: 120 });
    await session.signIn();
    expect(await session.accessToken()).toBe('at-1');

    idp.state.clock += 90; // inside the 60 s margin
    expect(await session.accessToken()).toBe('at-2');
    expect((await refreshGrantItem.get())?.refreshToken).toBe('rt-2');
    expect((await refreshGrantItem.get())?.subject).toBe('acct-1');

    idp.state.clock += 90;
    expect(await session.accessToken()).toBe('at-3');
    expect((await refreshGrantItem.get())?.refreshToken).toBe('rt-3');
    expect(idp.state.tokenRequests.filter((r) => r.get('grant_type') === 'refresh_token').map((r) => r.get('refresh_token'))).toEqual(['rt-1', 'rt-2']);
    expect(idp.state.refreshReuseDetected).toBe(false);
  });

  it('runs one refresh for concurrent callers, so a rotated refresh token is never replayed', async () => {
    const { idp, session } = createSessionStack({ accessTokenLifetime: 120 });
    await session.signIn();
    idp.state.clock += 90;
    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.forceRefresh('at-1')]);
    expect(new Set(tokens)).toEqual(new Set(['at-2']));
    expect(idp.state.refreshReuseDetected).toBe(false);
    expect(idp.state.tokenRequests.filter((r) => r.get('grant_type') === 'refresh_token')).toHaveLength(1);
  });

  it('survives a restart of the background: the session storage is gone, the refresh token is used', async () => {
    const { session } = createSessionStack();
    await session.signIn();
    await fakeBrowser.storage.session.clear();
    expect(await session.accessToken()).toBe('at-2');
  });

  it('signs out locally when the IdP refuses the refresh token', async () => {
    const { idp, session } = createSessionStack({ accessTokenLifetime: 120 });
    await session.signIn();
    await refreshGrantItem.set({ ...(await refreshGrantItem.get())!, refreshToken: 'rt-stale' });
    idp.state.clock += 90;
    await expect(session.accessToken()).rejects.toMatchObject({ code: 'signed_out' });
    expect(await session.isSignedIn()).toBe(false);
  });

  it('sign-out revokes the refresh token and clears both storage areas', async () => {
    const { idp, session } = createSessionStack();
    await session.signIn();
    await session.signOut();
    expect(idp.state.revoked).toEqual(['rt-1']);
    expect(await refreshGrantItem.get()).toBeNull();
    expect(await accessTokenItem.get()).toBeNull();
    await expect(session.accessToken()).rejects.toMatchObject({ code: 'signed_out' });
  });
});
