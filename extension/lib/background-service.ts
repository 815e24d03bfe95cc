/**
 * What the background does, without the wiring: one context per configured issuer (discovery,
 * DPoP, OAuth client, session, API clients), the message handlers, and the periodic refresh that
 * caches the status, sets the badge and notifies about new devices.
 */
import { createAccountClient, type AccountClient } from './account-client.ts';
import { createAuthSession, type AuthSession } from './auth-session.ts';
import { computeBadge } from './badge.ts';
import type { Badge } from './browser-api.ts';
import { createDpopFetch, type FetchLike } from './dpop-fetch.ts';
import type { DpopKeyStore } from './dpop-key-store.ts';
import { ExtensionError } from './errors.ts';
import type { MessageHandlers, PopupState } from './messages.ts';
import { createOAuthClient } from './oauth-client.ts';
import { discoverProvider, normaliseIssuer, type ProviderMetadata } from './oidc-discovery.ts';
import { portalUrl } from './safe-url.ts';
import { portalPathOfNotification, securityNotifications } from './security-notifications.ts';
import {
  accessTokenItem,
  cachedStatusItem,
  idpUrlItem,
  knownDeviceIdsItem,
  notificationCursorItem,
  notificationPrefsItem,
  refreshGrantItem,
  type CachedStatus,
} from './storage-items.ts';
import { createTokenStore } from './token-store.ts';
import { t } from './i18n/translator.ts';

export interface BackgroundPlatform {
  fetch?: FetchLike;
  keyStore: DpopKeyStore;
  redirectUri: () => string;
  launchWebAuthFlow: (url: string, interactive: boolean) => Promise<string>;
  hasOriginPermission: (origin: string) => Promise<boolean>;
  setBadge: (badge: Badge) => Promise<void>;
  notify: (id: string, title: string, message: string) => Promise<void>;
  now?: () => number;
}

interface IssuerContext {
  issuer: string;
  session: AuthSession;
  account: AccountClient;
  /** Same API, but a step-up challenge fails instead of opening a window. */
  quietAccount: AccountClient;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

function memoise<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}

export function createBackgroundService(platform: BackgroundPlatform) {
  const now = platform.now ?? Date.now;
  let context: IssuerContext | null = null;

  function buildContext(issuer: string): IssuerContext {
    const dpopFetch = createDpopFetch({ keys: platform.keyStore.get, fetch: platform.fetch, now });
    const metadata = memoise<ProviderMetadata>(() => discoverProvider(issuer, platform.fetch));
    const client = createOAuthClient({
      issuer,
      metadata,
      dpopFetch,
      dpopKeys: platform.keyStore.get,
      launchWebAuthFlow: platform.launchWebAuthFlow,
      redirectUri: platform.redirectUri(),
      now,
    });
    const store = createTokenStore(issuer, { access: accessTokenItem, refresh: refreshGrantItem });
    const session = createAuthSession({ client, store, now });
    return {
      issuer,
      session,
      account: createAccountClient({ issuer, session, dpopFetch, interactive: true }),
      quietAccount: createAccountClient({ issuer, session, dpopFetch, interactive: false }),
    };
  }

  /** The context for the configured IdP; refuses early when its host permission is missing. */
  async function current(): Promise<IssuerContext> {
    const issuer = normaliseIssuer(await idpUrlItem.get());
    if (!(await platform.hasOriginPermission(issuer))) {
      throw new ExtensionError('permission_missing', t('Allow Latchkey to reach {{origin}} first.', { origin: new URL(issuer).origin }));
    }
    if (context?.issuer !== issuer) context = buildContext(issuer);
    return context;
  }

  async function state(): Promise<PopupState> {
    const issuer = normaliseIssuer(await idpUrlItem.get());
    const hasPermission = await platform.hasOriginPermission(issuer);
    const store = createTokenStore(issuer, { access: accessTokenItem, refresh: refreshGrantItem });
    const signedIn = (await store.load()) !== null;
    const cached = await cachedStatusItem.get();
    return { issuer, hasPermission, signedIn, cached: signedIn && cached?.issuer === issuer ? cached : null };
  }

  async function refreshStatus(account: (ctx: IssuerContext) => AccountClient): Promise<CachedStatus> {
    const ctx = await current();
    const client = account(ctx);
    const [status, devices] = await Promise.all([client.status(), client.devices()]);
    const cached: CachedStatus = { issuer: ctx.issuer, status, devices, fetchedAt: now() };
    await cachedStatusItem.set(cached);
    await platform.setBadge(computeBadge(status, true));

    const [prefs, cursor, knownDeviceIds] = await Promise.all([notificationPrefsItem.get(), notificationCursorItem.get(), knownDeviceIdsItem.get()]);
    // The status only counts expiring keys; their names are fetched only when there are some to name.
    const expiringKeys = status.apiKeys.expiringWithin7Days > 0 ? (await client.apiKeys().catch(() => [])).filter((key) => Date.parse(key.expiresAt) - now() < WEEK_MS) : null;
    const outcome = securityNotifications({ prefs, cursor, knownDeviceIds, status, devices, expiringKeys, now: now() });
    await Promise.all([notificationCursorItem.set(outcome.cursor), knownDeviceIdsItem.set(outcome.knownDeviceIds)]);
    for (const notification of outcome.notifications) await platform.notify(notification.id, notification.title, notification.message);
    return cached;
  }

  async function forgetAccount(): Promise<void> {
    await Promise.all([cachedStatusItem.remove(), knownDeviceIdsItem.remove(), notificationCursorItem.remove()]);
    await platform.setBadge(computeBadge(null, false));
  }

  const handlers: MessageHandlers = {
    getState: state,
    refreshStatus: () => refreshStatus((ctx) => ctx.account),
    async signIn() {
      const ctx = await current();
      await ctx.session.signIn();
      // New person or new grant: start device tracking afresh.
      await forgetAccount();
      await refreshStatus((c) => c.account).catch(() => undefined);
      return state();
    },
    async signOut() {
      const issuer = normaliseIssuer(await idpUrlItem.get());
      const ctx = context?.issuer === issuer ? context : await current().catch(() => null);
      if (ctx) await ctx.session.signOut();
      else await createTokenStore(issuer, { access: accessTokenItem, refresh: refreshGrantItem }).clear();
      await platform.keyStore.discard();
      context = null;
      await forgetAccount();
      return state();
    },
    listDatabases: async () => (await current()).account.databases(),
    listDevices: async () => (await current()).account.devices(),
    listActivity: async ({ cursor }) => (await current()).account.activity(cursor),
    logoutOtherDevices: async () => (await current()).account.logoutOthers(),
    listApiKeys: async () => (await current()).account.apiKeys(),
    rotateApiKey: async ({ id, graceSeconds }) => (await current()).account.rotateApiKey(id, { graceSeconds }),
  };

  return {
    handlers,
    /** Where a click on one of our notifications leads: its portal page on the configured IdP. */
    async notificationTarget(id: string): Promise<string | null> {
      const path = portalPathOfNotification(id);
      return path ? portalUrl(normaliseIssuer(await idpUrlItem.get()), path) : null;
    },
    /** The alarm's job: silent, and a no-op while signed out. */
    async periodicRefresh(): Promise<void> {
      const { signedIn, hasPermission } = await state();
      if (!signedIn || !hasPermission) return platform.setBadge(computeBadge(null, signedIn));
      await refreshStatus((ctx) => ctx.quietAccount).catch(async (error: unknown) => {
        if (error instanceof ExtensionError && error.code === 'signed_out') await forgetAccount();
      });
    },
  };
}
