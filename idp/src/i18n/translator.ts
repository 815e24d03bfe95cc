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
import i18next from 'i18next';
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

type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
type CatalogKey = keyof typeof en & string;
/** The keys code may ask for: the catalog's keys with plural suffixes folded into their sentence. */
export type MessageKey = CatalogKey extends infer K ? K extends `${infer Base}_${PluralSuffix}` ? Base : K : never;

type Placeholders<S extends string> = S extends `${string}{{${infer Name}}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type Value = string | number;
/** What `t(key, ...)` takes after the key: the key's `{{placeholders}}` (a plural key needs `count`), or nothing. */
export type ParamsOf<K extends MessageKey> = [Placeholders<K> | (`${K}_other` extends CatalogKey ? 'count' : never)] extends [never]
  ? []
  : [params: { [P in Placeholders<K> | (`${K}_other` extends CatalogKey ? 'count' : never)]: P extends 'count' ? number : Value }];

/** A key without placeholders: what a table of labels holds (`Record<string, PlainKey>`), so `t(label)` needs no params. */
export type PlainKey = { [K in MessageKey]: ParamsOf<K> extends [] ? K : never }[MessageKey];

/** A translation function fixed to one locale; `t.locale` says which (for `<html lang>`, dates). */
export interface Translate {
  <K extends MessageKey>(key: K, ...params: ParamsOf<K>): string;
  readonly locale: Locale;
}

const instance = i18next.createInstance();
void instance.init({
  resources: Object.fromEntries(Object.entries(catalogs).map(([locale, messages]) => [locale, { translation: messages }])),
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  initAsync: false,
  keySeparator: false,
  nsSeparator: false,
  returnNull: false,
  returnEmptyString: false,
  interpolation: { escapeValue: false },
});

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

const translators = new Map<Locale, Translate>();

/** The translation function of `locale` (one per locale, built on first use). */
export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    const fixed = instance.getFixedT(locale);
    t = Object.assign(
      (key: string, params?: Record<string, Value>) => fixed(key, params ?? {}) as string,
      { locale },
    ) as Translate;
    translators.set(locale, t);
  }
  return t;
}
