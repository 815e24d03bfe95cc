import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accessTokenItem, refreshGrantItem } from './storage-items.ts';
import { createTokenStore, type TokenSet } from './token-store.ts';

const items = { access: accessTokenItem, refresh: refreshGrantItem };
const tokens: TokenSet = { accessToken: 'at', accessTokenExpiresAt: 123, refreshToken: 'rt', subject: 'acct-1', authTime: 5, scope: 'openid' };

beforeEach(() => fakeBrowser.reset());

describe('token store', () => {
  it('round-trips a token set, keeping the access token out of local storage', async () => {
    const store = createTokenStore('https://a.test', items);
    await store.save(tokens);
    expect(await store.load()).toEqual(tokens);
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain('"at"');
    expect((await fakeBrowser.storage.session.get('accessToken')).accessToken).toMatchObject({ accessToken: 'at' });
  });

  it('does not hand one IdP the tokens of another', async () => {
    await createTokenStore('https://a.test', items).save(tokens);
    expect(await createTokenStore('https://b.test', items).load()).toBeNull();
  });

  it('keeps the refresh grant when the session area was emptied (browser restart)', async () => {
    const store = createTokenStore('https://a.test', items);
    await store.save(tokens);
    await fakeBrowser.storage.session.clear();
    expect(await store.load()).toMatchObject({ accessToken: '', accessTokenExpiresAt: 0, refreshToken: 'rt' });
  });

  it('clears both areas', async () => {
    const store = createTokenStore('https://a.test', items);
    await store.save(tokens);
    await store.clear();
    expect(await store.load()).toBeNull();
    expect(await accessTokenItem.get()).toBeNull();
  });
});
