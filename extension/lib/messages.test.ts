import { describe, expect, it, vi } from 'vitest';
import type { MessageSender } from './browser-api.ts';
import { callBackground, createMessageRouter, type MessageHandlers } from './messages.ts';

const self = { id: 'own-id', baseUrl: 'chrome-extension://own-id/' };
const popup: MessageSender = { id: 'own-id', url: 'chrome-extension://own-id/popup.html' };

function handlers(): MessageHandlers {
  const fail = () => Promise.reject(new Error('not in this test'));
  return {
    getState: vi.fn(async () => ({ issuer: 'http://localhost:3000', signedIn: true, hasPermission: true, cached: null })),
    refreshStatus: fail,
    signIn: fail,
    signOut: fail,
    listDatabases: fail,
    listDevices: fail,
    listActivity: fail,
    logoutOtherDevices: vi.fn(async () => ({ loggedOut: 1 })),
    listApiKeys: fail,
    rotateApiKey: vi.fn(async () => ({ key: {} as never, secret: 'lk_secret' })),
  };
}

describe('message table', () => {
  it('answers our own popup', async () => {
    const h = handlers();
    const route = createMessageRouter(h, () => self);
    await expect(route({ type: 'getState', payload: null }, popup)).resolves.toMatchObject({ ok: true, data: { signedIn: true } });
  });

  it.each([
    ['a content script in a web page', { id: 'own-id', url: 'https://evil.test/page', tab: { id: 1 } }],
    ['another extension', { id: 'other-id', url: 'chrome-extension://other-id/popup.html' }],
    ['an extension claiming our id from another origin', { id: 'own-id', url: 'chrome-extension://other-id/x.html' }],
    ['a sender without a url', { id: 'own-id' }],
    ['a look-alike host', { id: 'own-id', url: 'chrome-extension://own-id.evil/x.html' }],
  ] as [string, MessageSender][])('refuses %s without running the handler', async (_, sender) => {
    const h = handlers();
    const route = createMessageRouter(h, () => self);
    await expect(route({ type: 'logoutOtherDevices', payload: null }, sender)).resolves.toEqual({ ok: false, error: { code: 'forbidden_sender', message: 'Not allowed.' } });
    expect(h.logoutOtherDevices).not.toHaveBeenCalled();
  });

  it('ignores messages that are not in the table', () => {
    const route = createMessageRouter(handlers(), () => self);
    expect(route({ type: 'toString' }, popup)).toBeUndefined();
    expect(route('getState', popup)).toBeUndefined();
  });

  it('allow-lists payloads before the handler runs', async () => {
    const h = handlers();
    const route = createMessageRouter(h, () => self);
    await expect(route({ type: 'rotateApiKey', payload: { id: 'k1', graceSeconds: 60 } }, popup)).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
    await expect(route({ type: 'getState', payload: { sneaky: true } }, popup)).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(h.rotateApiKey).not.toHaveBeenCalled();
    await expect(route({ type: 'rotateApiKey', payload: { id: 'k1', graceSeconds: 3600, extra: 1 } }, popup)).resolves.toMatchObject({ ok: true });
    expect(h.rotateApiKey).toHaveBeenCalledWith({ id: 'k1', graceSeconds: 3600 });
  });

  it('lets the popup unwrap results and errors', async () => {
    const route = createMessageRouter(handlers(), () => self);
    const send = (message: unknown) => route(message, popup)!;
    await expect(callBackground(send, 'logoutOtherDevices')).resolves.toEqual({ loggedOut: 1 });
    await expect(callBackground(send, 'signIn')).rejects.toMatchObject({ code: 'internal' });
  });
});
