import { describe, expect, it } from 'vitest';
import { translator } from './translator.ts';

describe('translator', () => {
  it('answers in its locale, with plurals and English for a key a catalog lacks', () => {
    const en = translator('en');
    const fr = translator('fr');
    expect(en.locale).toBe('en');
    expect(fr('Skip to main content')).toBe('Aller au contenu principal');
    expect(en('Skip to main content')).toBe('Skip to main content');
    expect(en('{{count}} minutes', { count: 1 })).toBe('1 minute');
    expect(en('{{count}} minutes', { count: 5 })).toBe('5 minutes');
    expect(fr('{{count}} minutes', { count: 0 })).toBe('0 minute');
    expect(fr('{{count}} minutes', { count: 2 })).toBe('2 minutes');
    expect(translator('fr')).toBe(fr);
  });
});
