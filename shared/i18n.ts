/**
 * The message-catalog machinery the IdP (idp/src/i18n/translator.ts) and the extension
 * (extension/lib/i18n/translator.ts) share; each keeps its own catalogs and says how its language is
 * chosen. Keys are gettext-style: the English sentence is the key (en.json maps it to itself, or to its
 * plural forms), so code reads as English and a key missing from a catalog still shows English.
 * `{{name}}` interpolates; a sentence with a count is a plural key, written `key_one`, `key_other` (and
 * `key_many` in French, CLDR's form for a million). The types below derive from a catalog what
 * `t(key, ...)` takes, so a missing placeholder or a misspelt key does not compile.
 *
 * Invariants: one i18next instance per catalog set, built synchronously from bundled JSON (no backend,
 * no network); keys may hold ':' and '.' (no key or namespace separator); values are not HTML-escaped
 * (Preact escapes what it renders; mails and notifications are text).
 */
import i18next from 'i18next';

type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
type KeyOf<C> = keyof C & string;
/** The keys code may ask for: the catalog's keys with plural suffixes folded into their sentence. */
type Folded<K extends string> = K extends `${infer Base}_${PluralSuffix}` ? Base : K;
export type MessageKeyOf<C> = Folded<KeyOf<C>>;

type Placeholders<S extends string> = S extends `${string}{{${infer Name}}}${infer Rest}` ? Name | Placeholders<Rest> : never;
export type Value = string | number;
type NamesOf<C, K extends string> = Placeholders<K> | (`${K}_other` extends KeyOf<C> ? 'count' : never);
/** What `t(key, ...)` takes after the key: the key's `{{placeholders}}` (a plural key needs `count`), or nothing. */
export type ParamsOfKey<C, K extends string> = [NamesOf<C, K>] extends [never] ? [] : [params: { [P in NamesOf<C, K>]: P extends 'count' ? number : Value }];
/** A key without placeholders: what a table of labels holds, so `t(label)` needs no params. */
export type PlainKeyOf<C> = { [K in MessageKeyOf<C>]: ParamsOfKey<C, K> extends [] ? K : never }[MessageKeyOf<C>];

/** A translation function fixed to one locale; `t.locale` says which. */
export interface TranslateOf<C, L extends string> {
  <K extends MessageKeyOf<C>>(key: K, ...params: ParamsOfKey<C, K>): string;
  readonly locale: L;
}

/**
 * The translation functions of a catalog set: `translator(locale)` builds each once. `T` is the
 * caller's `Translate` type (its English catalog's keys).
 */
export function catalogTranslators<L extends string, T extends { readonly locale: L }>(catalogs: Record<L, Record<string, string>>, fallback: L): (locale: L) => T {
  const locales = Object.keys(catalogs) as L[];
  const instance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(locales.map((locale) => [locale, { translation: catalogs[locale] }])),
    lng: fallback,
    fallbackLng: fallback,
    supportedLngs: locales,
    initAsync: false,
    keySeparator: false,
    nsSeparator: false,
    returnNull: false,
    returnEmptyString: false,
    interpolation: { escapeValue: false },
  });
  const made = new Map<L, T>();
  return (locale) => {
    let t = made.get(locale);
    if (!t) {
      const fixed = instance.getFixedT(locale);
      t = Object.assign((key: string, params?: Record<string, Value>) => fixed(key, params ?? {}) as string, { locale }) as unknown as T;
      made.set(locale, t);
    }
    return t;
  };
}
