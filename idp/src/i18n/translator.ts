/**
 * The message catalogs and the one i18next instance. Keys are gettext-style: the English sentence is the
 * key (en.json maps it to itself, or to its plural forms), so code reads as English and a key missing
 * from a catalog still shows English. `{{name}}` interpolates; a sentence with a count is a plural key,
 * written in the catalogs as `key_one`, `key_other` (and `key_many` in French, CLDR's form for a million).
 *
 * Invariants: the instance is built once, synchronously, from the bundled JSON (no backend, no network);
 * keys may hold ':' and '.' (no key or namespace separator); values are not HTML-escaped here, Preact
 * escapes what it renders and mails are text. catalogs.test.ts holds en and fr to the same keys, every
 * key to a use in the code and every `{{placeholder}}` of a key to its French text.
 */
import { catalogTranslators, type MessageKeyOf, type ParamsOfKey, type PlainKeyOf, type TranslateOf, type Value } from '../../../shared/i18n.ts';
import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };

export const catalogs = { en, fr } as const;
export type Locale = keyof typeof catalogs;
/** Every locale we have a catalog for, in the order a deployment offers them by default. */
export const LOCALES: readonly Locale[] = ['en', 'fr'];
export const DEFAULT_LOCALE: Locale = 'en';
/** Each language by its own name, as a switcher shows it. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && Object.hasOwn(catalogs, value);
}

/** The keys code may ask for: the catalog's keys with plural suffixes folded into their sentence. */
export type MessageKey = MessageKeyOf<typeof en>;
/** What `t(key, ...)` takes after the key: the key's `{{placeholders}}` (a plural key needs `count`), or nothing. */
export type ParamsOf<K extends MessageKey> = ParamsOfKey<typeof en, K>;
/** A key without placeholders: what a table of labels holds (`Record<string, PlainKey>`), so `t(label)` needs no params. */
export type PlainKey = PlainKeyOf<typeof en>;
/** A translation function fixed to one locale; `t.locale` says which (for `<html lang>`, dates). */
export type Translate = TranslateOf<typeof en, Locale>;

/**
 * Marks a sentence that is translated later, where it is shown (gettext's `N_`): zod messages, the
 * message of an AppError built from a variable, a table of labels. Returns the key unchanged.
 */
export function msg<K extends MessageKey>(key: K): K {
  return key;
}

/** True when `key` is a sentence of the catalogs (a plural one counts by its `_other` form). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs.en, key) || Object.hasOwn(catalogs.en, `${key}_other`);
}

/**
 * `t(key, params)` for a key known only at run time (an error's message): a catalog sentence is
 * translated; any other text is shown as it is, its `{{names}}` filled in, never handed to i18next (it
 * may hold what a person typed).
 */
export function translateText(t: Translate, key: string, params?: Record<string, Value>): string {
  if (isMessageKey(key)) return (t as unknown as (k: string, p?: Record<string, Value>) => string)(key, params);
  return params ? key.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : key;
}

/** The translation function of `locale` (one per locale, built on first use). */
export const translator = catalogTranslators<Locale, Translate>(catalogs, DEFAULT_LOCALE);
