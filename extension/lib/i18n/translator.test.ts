import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentLocale, dateLocale, formatDate, localeOf, t, translator } from './translator.ts';

afterEach(() => vi.unstubAllGlobals());
const speak = (language: string) => vi.stubGlobal('navigator', { ...globalThis.navigator, language });

describe('the extension translator', () => {
  it('speaks the browser UI language when it has a catalog, English otherwise', () => {
    expect([localeOf('fr'), localeOf('fr-CA'), localeOf('FR-be'), localeOf('en-GB'), localeOf('de-DE'), localeOf(''), localeOf(undefined)]).toEqual(['fr', 'fr', 'fr', 'en', 'en', 'en', 'en']);
    speak('fr-CA');
    expect(currentLocale()).toBe('fr');
    expect(t('Sign in')).toBe('Se connecter');
    speak('de-DE');
    expect(t('Sign in')).toBe('Sign in');
  });

  it('fills placeholders and plural forms per language', () => {
    const fr = translator('fr');
    expect(fr('{{count}} things to do', { count: 1 })).toBe('1 chose à faire');
    expect(fr('{{count}} things to do', { count: 3 })).toBe('3 choses à faire');
    expect(fr('{{count}} things to do', { count: 1_000_000 })).toBe('1000000 de choses à faire');
    expect(translator('en')('{{count}} things to do', { count: 1 })).toBe('1 thing to do');
    expect(translator('en')('{{count}} things to do', { count: 0 })).toBe('0 things to do');
    expect(fr('Rotate {{name}}', { name: '<b>' })).toBe('Renouveler <b>');
  });

  it('writes dates in the language of the sentences', () => {
    speak('fr-FR');
    expect(formatDate('2026-06-01T12:00:00Z')).toBe('01/06/2026');
    speak('en-US');
    expect(formatDate('2026-06-01T12:00:00Z')).toBe('6/1/2026');
    speak('de-DE');
    expect(dateLocale()).toBe('en');
    speak('en_US');
    expect(dateLocale()).toBe('en');
  });
});
