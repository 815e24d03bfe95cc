/**
 * Recent account activity for the popup. The account API's `GET /api/v1/activity` is being built in
 * another issue; until an IdP answers it (404 before), the devices list stands in: each live session
 * is one sign-in, at the time it was first seen. `ActivityEvent` is the shape the extension expects
 * from that route (a bare JSON array, newest first).
 */
import type { DeviceSummary } from '../../shared/account-api.ts';
import { NEW_DEVICE_WINDOW_MS } from './security-summary.ts';

export const ACTIVITY_PATH = '/activity';

export interface ActivityEvent {
  id: string;
  /** `sign_in` for now; other kinds are shown with their `kind` as text. */
  kind: 'sign_in' | (string & {});
  /** ISO timestamp. */
  at: string;
  browser: string;
  os: string;
  ip: string | null;
  /** The first sign-in from this device (browser) within the last 7 days. */
  newDevice: boolean;
  /** The session the extension itself signed in through. */
  current: boolean;
}

export interface ActivityFeed {
  events: ActivityEvent[];
  /** `devices` while the IdP has no activity route: the popup says the list is sessions, not a full log. */
  source: 'activity' | 'devices';
}

export function activityFromDevices(devices: readonly DeviceSummary[], now: number): ActivityEvent[] {
  return devices
    .map((device) => ({
      id: device.id,
      kind: 'sign_in',
      at: device.firstSeenAt,
      browser: device.browser,
      os: device.os,
      ip: device.ip,
      newDevice: !device.current && now - Date.parse(device.firstSeenAt) < NEW_DEVICE_WINDOW_MS,
      current: device.current,
    }))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}
