/**
 * A date and time as a page shows it: in the request's language (`t.locale`) and the account's time
 * zone, the zone named after it, e.g. "2 déc. 2026, 07:40 (Europe/Brussels)". An unknown zone name
 * (an old row, a zone Node no longer knows) falls back to UTC rather than failing the page.
 */
import type { Translate } from './translator.ts';

export function dateTimeIn(t: Translate, when: string | Date, timeZone: string): string {
  const date = typeof when === 'string' ? new Date(when) : when;
  for (const zone of [timeZone, 'UTC']) {
    try {
      return `${new Intl.DateTimeFormat(t.locale, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(date)} (${zone})`;
    } catch {
      // an unknown zone name: UTC instead
    }
  }
  return date.toISOString();
}
