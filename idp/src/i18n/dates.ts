/**
 * Dates and times as a person reads them: in their account's time zone (UTC when unknown or not valid)
 * and in the page's language, e.g. "2 Dec 2026, 07:40 (Europe/Brussels)" or "2 déc. 2026, 07:40 (Europe/Brussels)".
 * English uses en-GB's day-month order, as the pages always have.
 */
import type { Translate } from './translator.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(locale: string, timeZone: string): Intl.DateTimeFormat {
  const id = `${locale} ${timeZone}`;
  let format = formats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    formats.set(id, format);
  }
  return format;
}

/** `at`: seconds since the epoch, or an ISO 8601 text. */
export function formatTime(t: Translate, at: number | string, timeZone = 'UTC'): string {
  const date = typeof at === 'number' ? new Date(at * 1000) : new Date(at);
  for (const zone of [timeZone, 'UTC']) {
    try {
      return `${formatOf(t.locale, zone).format(date)} (${zone})`;
    } catch {
      // an unknown zone name: UTC instead
    }
  }
  return date.toISOString();
}

/** The same for a Date or ISO text and a zone the caller always knows (the security pages). */
export function dateTimeIn(t: Translate, when: string | Date, timeZone: string): string {
  return formatTime(t, typeof when === 'string' ? when : when.toISOString(), timeZone);
}
