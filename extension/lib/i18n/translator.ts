/**
 * The extension's message catalogs and its one i18next instance, on the machinery it shares with the IdP
 * (shared/i18n.ts; the extension never imports idp/). Keys are gettext-style: the English sentence is the key (en.json maps
 * it to itself, or to its plural forms), so code reads as English and a key missing from a catalog still
 * shows English. `{{name}}` interpolates; a sentence with a count is a plural key, written in the
 * catalogs as `key_one`, `key_other` (and `key_many` in French, CLDR's form for a million).
 *
 * The language is the browser's UI language (`navigator.language`, read at each call: `fr-CA` → fr),
 * English for any language without a catalog. Not `browser.i18n`/`_locales`: WXT's fake browser in the
 * unit tests does not implement it, and one catalog format for the popup, the options page and the
 * background (notifications, errors) is simpler. The background words errors and notifications in the
 * same language as the popup, since both read the same browser's language.
 *
 * Invariants: built once, synchronously, from the bundled JSON (no backend, no network); keys may hold
 * ':' and '.' (no key or namespace separator); values are not HTML-escaped (Preact escapes what it
 * renders, notifications are text). catalogs.test.ts holds en and fr to the same keys, every key to a
 * use in the code and every `{{placeholder}}` of a key to its French text.
 */
import { catalogTranslators, type MessageKeyOf, type ParamsOfKey, type PlainKeyOf, type TranslateOf } from '../../../shared/i18n.ts';
import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };

export const catalogs = { en, fr } as const;
export type Locale = keyof typeof catalogs;
export const LOCALES: readonly Locale[] = ['en', 'fr'];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && Object.hasOwn(catalogs, value);
}

// The key, params, label and translation types of shared/i18n.ts, bound to these catalogs.
export type MessageKey = MessageKeyOf<typeof en>;
export type ParamsOf<K extends MessageKey> = ParamsOfKey<typeof en, K>;
export type PlainKey = PlainKeyOf<typeof en>;
export type Translate = TranslateOf<typeof en, Locale>;

/** Marks a sentence translated later, where it is shown (gettext's `N_`): a table of labels. Returns the key unchanged. */
export function msg<K extends MessageKey>(key: K): K {
  return key;
}

/** The catalog locale of a BCP 47 language tag (`fr-CA` → `fr`), English when there is none. */
export function localeOf(language: string | undefined | null): Locale {
  const base = (language ?? '').toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : DEFAULT_LOCALE;
}

/** The browser's UI language as given (`fr-CA`, `en-GB`), or undefined where there is no navigator. */
function browserLanguage(): string | undefined {
  return (globalThis as { navigator?: { language?: string } }).navigator?.language;
}

/** The locale the extension speaks now: the browser's UI language, or English. */
export function currentLocale(): Locale {
  return localeOf(browserLanguage());
}

/**
 * The tag dates are written with: the browser's own tag when its language has a catalog (so `en-GB`
 * keeps day/month order and `fr-CA` its own), else English, so a date never speaks another language
 * than the sentence around it.
 */
export function dateLocale(): string {
  const language = browserLanguage();
  if (!language || localeOf(language) !== (language.toLowerCase().split(/[-_]/)[0] as Locale)) return DEFAULT_LOCALE;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(language)[0] ?? currentLocale();
  } catch {
    return currentLocale();
  }
}

const asDate = (value: string | number | Date) => (value instanceof Date ? value : new Date(value));
/** A date in the current language (`6/1/2026`, `01/06/2026`). */
export const formatDate = (value: string | number | Date) => asDate(value).toLocaleDateString(dateLocale());
/** A time of day in the current language. */
export const formatTime = (value: string | number | Date) => asDate(value).toLocaleTimeString(dateLocale());
/** A date and time in the current language. */
export const formatDateTime = (value: string | number | Date) => asDate(value).toLocaleString(dateLocale());

/** The translation function of `locale` (one per locale, built on first use). */
export const translator = catalogTranslators<Locale, Translate>(catalogs, DEFAULT_LOCALE);

/** Translates into the browser's current language (read at each call, so a test can stub `navigator.language`). */
export function t<K extends MessageKey>(key: K, ...params: ParamsOf<K>): string {
  return translator(currentLocale())(key, ...params);
}
