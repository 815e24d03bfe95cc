import { describe, expect, it } from 'vitest';
import { translator } from './translator.ts';

describe('translator', () => {
  it('answers in its locale, with plurals and English for a key a catalog lacks', () => {
    const en = translator('en');
    const fr = translator('fr');
    expect(en.locale).toBe('en');
    expect(fr('Skip to main content')).toBe('Aller au contenu principal');
    expect(en('Skip to main content')).toBe('Skip to main content');
    expect(en('Try again in {{count}} minutes.', { count: 1 })).toBe('Try again in 1 minute.');
    expect(en('Try again in {{count}} minutes.', { count: 5 })).toBe('Try again in 5 minutes.');
    expect(fr('Try again in {{count}} minutes.', { count: 0 })).toBe('Réessayez dans 0\u00a0minute.'); // French: 0 is singular
    expect(fr('Try again in {{count}} minutes.', { count: 2 })).toBe('Réessayez dans 2\u00a0minutes.');
    expect(fr('Try again in {{count}} minutes.', { count: 1_000_000 })).toBe('Réessayez dans 1000000\u00a0minutes.');
    expect(translator('fr')).toBe(fr);
  });
});
