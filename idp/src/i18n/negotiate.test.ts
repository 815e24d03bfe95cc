import { describe, expect, it } from 'vitest';
import { acceptedLanguages, negotiateLocale } from './negotiate.ts';
import type { Locale } from './translator.ts';

const both: Locale[] = ['en', 'fr'];

describe('negotiateLocale', () => {
  it('takes the account locale first, then the cookie, then Accept-Language, then the first offered', () => {
    expect(negotiateLocale({ account: 'fr', cookie: 'en', acceptLanguage: 'en', offered: both })).toBe('fr');
    expect(negotiateLocale({ cookie: 'fr', acceptLanguage: 'en', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'fr', offered: both })).toBe('fr');
    expect(negotiateLocale({ offered: both })).toBe('en');
    expect(negotiateLocale({ offered: ['fr', 'en'] })).toBe('fr');
  });

  it('skips a source naming a locale the deployment does not offer', () => {
    expect(negotiateLocale({ account: 'de', acceptLanguage: 'fr', offered: both })).toBe('fr');
    expect(negotiateLocale({ account: 'fr', cookie: 'fr', acceptLanguage: 'fr', offered: ['en'] })).toBe('en');
    expect(negotiateLocale({ cookie: 'xx', acceptLanguage: 'fr', offered: both })).toBe('fr');
    expect(negotiateLocale({ cookie: 'FR', offered: both })).toBe('en'); // the cookie is ours: exact values only
  });

  it('reads Accept-Language: q-values, regional tags, the wildcard and malformed entries', () => {
    expect(negotiateLocale({ acceptLanguage: 'fr-CA', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'FR-ch, en;q=0.5', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'en;q=0.4, fr;q=0.9', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'de-DE, fr;q=0.8, en;q=0.7', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'de, *;q=0.1', offered: ['fr', 'en'] })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'fr;q=0, en', offered: both })).toBe('en');
    expect(negotiateLocale({ acceptLanguage: 'fr;q=0', offered: ['fr', 'en'] })).toBe('fr'); // nothing acceptable: the default
    expect(negotiateLocale({ acceptLanguage: '<script>, fr;q=abc, ;;, fr', offered: both })).toBe('fr');
    expect(negotiateLocale({ acceptLanguage: 'de, es', offered: both })).toBe('en');
  });

  it('orders the header by quality, ties in their written order', () => {
    expect(acceptedLanguages('da, en-GB;q=0.8, en;q=0.7, fr;q=0.8')).toEqual(['da', 'en-GB', 'fr', 'en']);
    expect(acceptedLanguages('')).toEqual([]);
    expect(acceptedLanguages('fr;q=2, en;q=0.000')).toEqual([]);
  });
});
