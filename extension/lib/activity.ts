/**
 * Recent account activity for the popup: pages of `ActivityEntry` from `GET /api/v1/activity`
 * (`shared/account-api.ts` is the contract; no type of its own here), newest first, each older page
 * fetched with the previous page's `nextCursor`.
 *
 * An IdP from before that route answers 404: the feed is then `null` and the popup says so and points
 * to the Devices tab. There is no stand-in built from the devices list: those IdPs have no lockdown
 * page either (both came in the same change), so "This wasn't me" would lead nowhere.
 */
import type { ActivityEntry } from '../../shared/account-api.ts';

/** Entries per page in the popup: a screenful or two; "Show older" fetches the next. */
export const ACTIVITY_PAGE_SIZE = 10;

/**
 * The cursor is opaque (the IdP's own format); the extension only bounds what it passes on, so a
 * message from a page cannot smuggle anything but a plain token into the query string.
 */
const CURSOR = /^[A-Za-z0-9_-]{1,128}$/;

export function isActivityCursor(value: unknown): value is string {
  return typeof value === 'string' && CURSOR.test(value);
}

/** The portal's "This wasn't me" page for one entry: it shows that entry, then offers the lockdown. */
export function lockdownPathOf(entry: Pick<ActivityEntry, 'id'>): string {
  return `/my/security/lockdown?entry=${encodeURIComponent(entry.id)}`;
}

/** A failed attempt (wrong password, wrong code): marked so it stands out in the list. */
export function isFailedAttempt(entry: Pick<ActivityEntry, 'kind'>): boolean {
  return entry.kind.endsWith('.failed') || entry.kind.endsWith('.refused_locked');
}
