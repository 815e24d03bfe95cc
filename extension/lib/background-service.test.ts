import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { DeviceSummary } from '../../shared/account-api.ts';
import { securityStatus } from './status-fixture.test-helper.ts';
import { createBackgroundService } from './background-service.ts';
import type { Badge } from './browser-api.ts';
import { generateDpopKeyPair } from './dpop.ts';
import { createFakeIdp, REDIRECT_URI } from './fake-idp.test-helper.ts';
import { cachedStatusItem, DEFAULT_NOTIFICATION_PREFS, idpUrlItem, knownDeviceIdsItem, notificationPrefsItem } from './storage-items.ts';

const ISSUER = 'https://idp.example.test';
const device = (id: string, current = false): DeviceSummary => ({
  id, browser: 'Chrome', os: 'Linux', ip: null, firstSeenAt: '', lastSeenAt: '', current, apps: [],
});

function setup(options: { status?: ReturnType<typeof securityStatus>; devices?: DeviceSummary[] } = {}) {
  const fixtures: Record<string, unknown> = {
    'GET /api/v1/status': options.status ?? securityStatus(),
    'GET /api/v1/devices': options.devices ?? [device('me', true)],
  };
  const idp = createFakeIdp({ issuer: ISSUER, fixtures });
  const keys = generateDpopKeyPair();
  const badges: Badge[] = [];
  const notify = vi.fn(async () => {});
  const launches = vi.fn((url: string) => idp.launchWebAuthFlow(url));
  const service = createBackgroundService({
    fetch: idp.fetch,
    keyStore: { get: () => keys, discard: async () => {} },
    redirectUri: () => REDIRECT_URI,
    launchWebAuthFlow: launches,
    hasOriginPermission: async () => true,
    setBadge: async (badge) => void badges.push(badge),
    notify,
  });
  return { idp, service, badges, notify, launches, fixtures };
}

beforeEach(async () => {
  fakeBrowser.reset();
  await idpUrlItem.set(`${ISSUER}/`);
});

describe('background service', () => {
  it('after sign-in caches the status and sets the badge', async () => {
    const { service, badges } = setup({ status: securityStatus({ twoFactorEnabled: false }) });
    const state = await service.handlers.signIn(null);
    expect(state).toMatchObject({ issuer: ISSUER, signedIn: true, hasPermission: true });
    expect(state.cached?.status.twoFactorEnabled).toBe(false);
    expect(badges.at(-1)).toMatchObject({ text: '!' });
    expect(await knownDeviceIdsItem.get()).toEqual(['me']);
  });

  it('notifies once about a device that signed in since the last refresh', async () => {
    const { service, notify, fixtures } = setup();
    await service.handlers.signIn(null);
    expect(notify).not.toHaveBeenCalled();

    fixtures['GET /api/v1/devices'] = [device('me', true), device('phone')];
    await service.periodicRefresh();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith('new-device-phone', expect.stringContaining('New sign-in'), expect.stringContaining('Chrome on Linux'));

    await service.periodicRefresh();
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('notifies 2FA turned off once, and not at all once that switch is off in the options', async () => {
    const { service, notify, fixtures } = setup();
    await service.handlers.signIn(null);
    fixtures['GET /api/v1/status'] = securityStatus({ twoFactorEnabled: false });
    await service.periodicRefresh();
    await service.periodicRefresh();
    expect(notify.mock.calls.map((call) => (call as unknown[])[1])).toEqual(['Two-factor authentication was turned off']);

    await notificationPrefsItem.set({ ...DEFAULT_NOTIFICATION_PREFS, twoFactorOff: false, newDevice: false });
    fixtures['GET /api/v1/status'] = securityStatus();
    await service.periodicRefresh();
    fixtures['GET /api/v1/status'] = securityStatus({ twoFactorEnabled: false });
    fixtures['GET /api/v1/devices'] = [device('me', true), device('phone')];
    await service.periodicRefresh();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(await service.notificationTarget('two-factor-off-1')).toBe(`${ISSUER}/my/security#two-factor`);
  });

  it('lists activity from /activity, or from the devices while the IdP has no such route', async () => {
    const { service, fixtures } = setup({ devices: [device('me', true)] });
    await service.handlers.signIn(null);
    expect(await service.handlers.listActivity(null)).toMatchObject({ source: 'devices', events: [{ id: 'me', kind: 'sign_in', current: true }] });
    fixtures['GET /api/v1/activity'] = [{ id: 'e1', kind: 'sign_in', at: '2026-06-01T00:00:00Z', browser: 'Safari', os: 'iOS', ip: null, newDevice: true, current: false }];
    expect(await service.handlers.listActivity(null)).toMatchObject({ source: 'activity', events: [{ id: 'e1', browser: 'Safari' }] });
  });

  it('caches the devices with the status for the popup', async () => {
    const { service } = setup({ devices: [device('me', true), device('phone')] });
    await service.handlers.signIn(null);
    expect((await cachedStatusItem.get())?.devices?.map((d) => d.id)).toEqual(['me', 'phone']);
  });

  it('updates the badge to amber when a key starts expiring', async () => {
    const { service, badges, fixtures } = setup();
    await service.handlers.signIn(null);
    expect(badges.at(-1)?.text).toBe('');
    fixtures['GET /api/v1/status'] = securityStatus({ apiKeys: { total: 2, expiringWithin7Days: 1 } });
    await service.periodicRefresh();
    expect(badges.at(-1)).toMatchObject({ text: '1', color: '#f59e0b' });
  });

  it('does nothing but clear the badge while signed out, and never opens a window', async () => {
    const { service, badges, launches, idp } = setup();
    await service.periodicRefresh();
    expect(badges.at(-1)?.text).toBe('');
    expect(launches).not.toHaveBeenCalled();
    expect(idp.state.apiRequests).toHaveLength(0);
  });

  it('sign-out revokes, forgets the cached status and clears the badge', async () => {
    const { service, idp, badges } = setup({ status: securityStatus({ twoFactorEnabled: false }) });
    await service.handlers.signIn(null);
    const state = await service.handlers.signOut(null);
    expect(state).toMatchObject({ signedIn: false, cached: null });
    expect(idp.state.revoked).toEqual(['rt-1']);
    expect(await cachedStatusItem.get()).toBeNull();
    expect(badges.at(-1)?.text).toBe('');
  });

  it('refuses to call the IdP without its host permission', async () => {
    const denied = createBackgroundService({
      keyStore: { get: generateDpopKeyPair, discard: async () => {} },
      redirectUri: () => REDIRECT_URI,
      launchWebAuthFlow: async () => '',
      hasOriginPermission: async () => false,
      setBadge: async () => {},
      notify: async () => {},
    });
    await expect(denied.handlers.listDatabases(null)).rejects.toMatchObject({ code: 'permission_missing' });
  });
});
