/**
 * New-device detection: compare the device ids seen at the previous refresh with the current list.
 *
 * Why the devices list and not the activity log (`signin.succeeded` entries after a cursor): an
 * `ActivityEntry` names its device only by a label ("Chrome 130 on Linux") and carries no session id
 * and no new-device mark (the IdP decides "new browser" from its device cookie for the mail it sends,
 * but does not record that decision). So the extension could not tell its own sign-ins (the first one
 * and every step-up are `signin.succeeded` entries from this very browser) from someone else's, except
 * by comparing labels, which would also hide an intruder using the same browser. A device, in contrast,
 * is one IdP session and the API marks `current` the one this extension's token belongs to. Switch once
 * the IdP records the new-browser decision (and the session) with the sign-in entry.
 */
import type { DeviceSummary } from '../../shared/account-api.ts';
import { t } from './i18n/translator.ts';

/**
 * Devices that were not there last time. `previousIds` is null before the first refresh: then
 * nothing is "new", otherwise every existing device would raise a notification on install.
 * The device this browser runs on is never reported.
 */
export function detectNewDevices(previousIds: readonly string[] | null, devices: readonly DeviceSummary[]): DeviceSummary[] {
  if (previousIds === null) return [];
  const known = new Set(previousIds);
  return devices.filter((device) => !device.current && !known.has(device.id));
}

export function describeDevice(device: DeviceSummary): string {
  const { browser, os, ip } = device;
  return ip ? t('{{browser}} on {{os}} ({{ip}})', { browser, os, ip }) : t('{{browser}} on {{os}}', { browser, os });
}
