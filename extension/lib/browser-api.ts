/**
 * The only module that touches the WebExtension APIs (`browser.*`, via webextension-polyfill).
 * Everything else in the extension is plain TypeScript and gets these functions imported, so unit
 * tests run it against WXT's fake browser (aliased in `extension/vitest.config.ts`).
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { engineOf, originPattern } from './host-permission.ts';

export type MessageSender = Runtime.MessageSender;

// ---- runtime ---------------------------------------------------------------------------------

/** What the message table needs to recognise our own pages. */
export function ownExtension(): { id: string; baseUrl: string } {
  return { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') };
}

export function onRuntimeMessage(
  listener: (message: unknown, sender: MessageSender) => Promise<unknown> | undefined,
): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: MessageSender) => listener(message, sender));
}

export function sendRuntimeMessage(message: unknown): Promise<unknown> {
  return browser.runtime.sendMessage(message);
}

export function onInstalledOrStartup(listener: () => void): void {
  browser.runtime.onInstalled.addListener(listener);
  browser.runtime.onStartup.addListener(listener);
}

export function openOptionsPage(): Promise<void> {
  return browser.runtime.openOptionsPage();
}

// ---- storage ---------------------------------------------------------------------------------

export type StorageArea = 'local' | 'session';

export interface StorageItem<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
  remove(): Promise<void>;
  /** Calls back with the new value (or the fallback when removed); returns the unsubscribe function. */
  watch(callback: (value: T) => void): () => void;
}

/**
 * A typed storage item with a fallback. `session` is kept in memory by the browser and never
 * reaches content scripts (Chrome's default access level); Firefox has it since 115.
 */
export function defineStorageItem<T>(area: StorageArea, key: string, fallback: T): StorageItem<T> {
  const storage = () => browser.storage[area];
  return {
    async get() {
      const stored = await storage().get(key);
      return (stored[key] as T | undefined) ?? fallback;
    },
    set: (value) => storage().set({ [key]: value }),
    remove: () => storage().remove(key),
    watch(callback) {
      const listener = (changes: Record<string, { newValue?: unknown }>, areaName: string) => {
        if (areaName === area && key in changes) callback((changes[key]!.newValue as T | undefined) ?? fallback);
      };
      browser.storage.onChanged.addListener(listener);
      return () => browser.storage.onChanged.removeListener(listener);
    },
  };
}

// ---- identity and permissions ----------------------------------------------------------------

/** `https://<extension id>.chromiumapp.org/` in Chrome, `https://<hash>.extensions.allizom.org/` in Firefox. */
export function identityRedirectUrl(): string {
  return browser.identity.getRedirectURL();
}

export function launchWebAuthFlow(url: string, interactive: boolean): Promise<string> {
  return browser.identity.launchWebAuthFlow({ url, interactive });
}

/** The pattern this browser matches `origin` with (Firefox's take no port: see host-permission.ts). */
export const patternFor = (origin: string) => originPattern(origin, engineOf(browser.runtime.getURL('/')));

/** Host patterns held right now (granted at install or later). */
export async function grantedOriginPatterns(): Promise<string[]> {
  return (await browser.permissions.getAll()).origins ?? [];
}

export function hasOriginPermission(origin: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [patternFor(origin)] });
}

/** Must run inside a user gesture (a click in the popup or options page). */
export function requestOriginPermission(origin: string): Promise<boolean> {
  return browser.permissions.request({ origins: [patternFor(origin)] });
}

/** Gives back a host permission asked for a server that turned out not to be an IdP. */
export async function removeOriginPermission(origin: string): Promise<void> {
  // Install-time (required) host permissions cannot be removed; nothing to give back then.
  await browser.permissions.remove({ origins: [patternFor(origin)] }).catch(() => undefined);
}

// ---- alarms, badge, notifications, tabs ------------------------------------------------------

export async function schedulePeriodicAlarm(name: string, periodInMinutes: number): Promise<void> {
  const existing = await browser.alarms.get(name);
  if (existing?.periodInMinutes !== periodInMinutes) browser.alarms.create(name, { periodInMinutes, delayInMinutes: 1 });
}

export function onAlarm(name: string, listener: () => void): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === name) listener();
  });
}

export interface Badge {
  text: string;
  color: string;
  title: string;
}

export async function setBadge(badge: Badge): Promise<void> {
  // MV3 (Chrome, Firefox) has `action`; an MV2 build would only have `browserAction`.
  const action = browser.action ?? browser.browserAction;
  await action.setBadgeText({ text: badge.text });
  if (badge.text) await action.setBadgeBackgroundColor({ color: badge.color });
  await action.setTitle({ title: badge.title });
}

export async function showNotification(id: string, title: string, message: string): Promise<void> {
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
  });
}

export async function openTab(url: string): Promise<void> {
  await browser.tabs.create({ url });
}

export function onNotificationClicked(listener: (id: string) => void): void {
  browser.notifications.onClicked.addListener(listener);
}

export async function clearNotification(id: string): Promise<void> {
  await browser.notifications.clear(id);
}
