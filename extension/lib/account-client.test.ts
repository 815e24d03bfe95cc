import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createSessionStack } from './session-stack.test-helper.ts';

beforeEach(() => fakeBrowser.reset());

describe('account API calls', () => {
  it('sends Authorization: DPoP with a proof bound to the token (ath)', async () => {
    const { idp, session, account } = createSessionStack();
    await session.signIn();
    await expect(account.status()).resolves.toMatchObject({ accountId: 'acct-1' });
    expect(idp.state.apiRequests[0]).toMatchObject({ path: 'GET /api/v1/status', token: 'at-1' });
  });

  it('answers DPoP nonce challenges from the token endpoint and the API by retrying once', async () => {
    const { idp, session, account } = createSessionStack({ requireNonce: true });
    await session.signIn();
    await account.status();
    // First token request is refused for lack of a nonce, the retry carries it.
    expect(idp.state.tokenRequests).toHaveLength(1);
    expect(idp.state.apiRequests.map((r) => r.proof.nonce)).toEqual(['server-nonce-1']);
  });
});

describe('step-up (RFC 9470)', () => {
  it('signs in again with max_age from the challenge and retries the call once', async () => {
    const { idp, session, account, launches } = createSessionStack({ accessTokenLifetime: 7200 });
    await session.signIn();
    idp.state.clock += 3600; // the sign-in is now an hour old
    idp.state.stepUpMaxAge = 600;

    await expect(account.logoutOthers()).resolves.toEqual({ loggedOut: 2 });
    expect(launches()).toBe(2);
    expect(idp.state.authorizeRequests[1]!.get('max_age')).toBe('600');
    expect(idp.state.apiRequests.map((r) => `${r.path} ${r.token}`)).toEqual([
      'POST /api/v1/devices/logout-others at-1',
      'POST /api/v1/devices/logout-others at-2',
    ]);
  });

  it('gives up after one step-up instead of looping', async () => {
    const { idp, session, account, launches } = createSessionStack({ accessTokenLifetime: 7200 });
    await session.signIn();
    idp.state.clock += 3600;
    idp.state.stepUpMaxAge = 600;
    const consent = idp.launchWebAuthFlow;
    idp.launchWebAuthFlow = async (url: string) => {
      const redirect = await consent(url);
      idp.state.clock += 3600; // the IdP keeps saying the sign-in is too old
      return redirect;
    };
    await expect(account.logoutOthers()).rejects.toMatchObject({ code: 'step_up_failed' });
    expect(launches()).toBe(2);
    expect(idp.state.apiRequests).toHaveLength(2);
  });

  it('reports a cancelled step-up without retrying', async () => {
    const { idp, session, account } = createSessionStack({ accessTokenLifetime: 7200 });
    await session.signIn();
    idp.state.clock += 3600;
    idp.state.stepUpMaxAge = 600;
    idp.launchWebAuthFlow = async () => {
      throw new Error('The user did not approve access.');
    };
    await expect(account.rotateApiKey('k1', { graceSeconds: 3600 })).rejects.toMatchObject({ code: 'step_up_failed' });
    expect(idp.state.apiRequests).toHaveLength(1);
  });

  it('never opens a sign-in window from the background refresh', async () => {
    const { idp, session, quietAccount, launches } = createSessionStack({ accessTokenLifetime: 7200 });
    await session.signIn();
    idp.state.clock += 3600;
    idp.state.stepUpMaxAge = 600;
    await expect(quietAccount.status()).rejects.toMatchObject({ code: 'step_up_failed' });
    expect(launches()).toBe(1);
  });
});

describe('invalid_token', () => {
  it('refreshes once and retries with the new token', async () => {
    const { idp, session, account } = createSessionStack();
    await session.signIn();
    idp.state.rejectedTokens.add('at-1');
    await expect(account.status()).resolves.toMatchObject({ accountId: 'acct-1' });
    expect(idp.state.apiRequests.map((r) => r.token)).toEqual(['at-1', 'at-2']);
  });

  it('turns a second rejection into signed_out', async () => {
    const { idp, session, account } = createSessionStack();
    await session.signIn();
    idp.state.rejectedTokens.add('at-1').add('at-2');
    await expect(account.status()).rejects.toMatchObject({ code: 'signed_out' });
  });

  it('passes the API error message through for other failures', async () => {
    const { session, account } = createSessionStack();
    await session.signIn();
    await expect(account.apiKeys()).rejects.toMatchObject({ code: 'api_error', message: 'No such route.', detail: { status: 404, apiError: 'not_found' } });
  });
});

describe('activity', () => {
  const entry = (id: string) => ({ id, at: '2026-06-01T00:00:00Z', kind: 'signin.succeeded', ip: null, device: 'Firefox 140 on Linux', app: null, detail: 'Signed in.' });

  it('asks for a page of the popup size, passing the cursor of the previous page for older ones', async () => {
    const fixtures = { 'GET /api/v1/activity': (query: URLSearchParams) => (query.get('cursor') === '7' ? { entries: [entry('6')], nextCursor: null } : { entries: [entry('8'), entry('7')], nextCursor: '7' }) };
    const { idp, session, account } = createSessionStack({ fixtures });
    await session.signIn();
    await expect(account.activity(null)).resolves.toEqual({ entries: [entry('8'), entry('7')], nextCursor: '7' });
    await expect(account.activity('7')).resolves.toEqual({ entries: [entry('6')], nextCursor: null });
    expect(idp.state.apiRequests.map((r) => r.query)).toEqual(['?limit=10', '?limit=10&cursor=7']);
  });

  it('answers null from an IdP without the route (404), and passes other errors on', async () => {
    const without = createSessionStack();
    await without.session.signIn();
    await expect(without.account.activity(null)).resolves.toBeNull();

    const message = 'The page cursor is not valid. Start again from the first page.';
    const refusing = createSessionStack({ fixtures: { 'GET /api/v1/activity': () => Response.json({ error: 'invalid_request', message }, { status: 400 }) } });
    await refusing.session.signIn();
    await expect(refusing.account.activity('999')).rejects.toMatchObject({ code: 'api_error', message, detail: { status: 400 } });
  });
});
