/** New-device detection: compare the device ids seen at the previous refresh with the current list. */
import type { DeviceSummary } from '../../shared/account-api.ts';

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
  return `${device.browser} on ${device.os}${device.ip ? ` (${device.ip})` : ''}`;
}
