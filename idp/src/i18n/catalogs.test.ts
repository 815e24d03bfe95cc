/**
 * The catalogs are complete and used (issue 19): en and fr hold the same keys (plural forms counted per
 * language: English one/other, French one/many/other); every key is used by the code; every key the
 * code names with `t('…')` or `msg('…')` is in the catalogs; every `{{placeholder}}` of a key is in its
 * French text; French text puts a non-breaking space before ? ! : ; as French typography does.
 *
 * "Used" is read from the sources: the first argument of `t(…)`, `msg(…)` and `new AppError(code, …)`
 * and the `key_` of `<Rich>` when it is a string literal (a sentence thrown by a service is translated
 * where it is shown).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogs } from './translator.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const LITERAL = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;
// t('…'), msg('…') and <Rich key_="…">; then new AppError(code, '…').
const CALLS = [new RegExp(String.raw`(?:(?<![\w$])(?:t|msg)\(\s*|\bkey_=)${LITERAL}`, 'g'), new RegExp(String.raw`new AppError\(\s*'[a-z_]+',\s*${LITERAL}`, 'g')];

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Every string literal the code hands to t(), msg() or new AppError(), with the files naming it. */
function usedKeys(): { translated: Map<string, string[]>; thrown: Set<string> } {
  const translated = new Map<string, string[]>();
  const thrown = new Set<string>();
  for (const file of sources(srcDir)) {
    const text = fs.readFileSync(file, 'utf8');
    const [calls, errors] = CALLS;
    for (const m of text.matchAll(calls!)) {
      const key = unquote(m[1]!);
      translated.set(key, [...(translated.get(key) ?? []), path.relative(srcDir, file)]);
    }
    for (const m of text.matchAll(errors!)) thrown.add(unquote(m[1]!));
  }
  return { translated, thrown };
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseOf = (key: string) => key.replace(PLURAL, '');
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
const { en, fr } = catalogs as unknown as Record<'en' | 'fr', Record<string, string>>;

describe('message catalogs', () => {
  it('hold the same sentences in English and French, with the plural forms of each language', () => {
    expect(Object.keys(fr).map(baseOf).filter((k, i, all) => all.indexOf(k) === i).sort())
      .toEqual(Object.keys(en).map(baseOf).filter((k, i, all) => all.indexOf(k) === i).sort());
    for (const key of Object.keys(en).filter((k) => k.endsWith('_other'))) {
      const base = baseOf(key);
      expect(Object.keys(en).filter((k) => baseOf(k) === base && k !== base).sort(), base).toEqual([`${base}_one`, `${base}_other`]);
      expect(Object.keys(fr).filter((k) => baseOf(k) === base && k !== base).sort(), base).toEqual([`${base}_many`, `${base}_one`, `${base}_other`]);
    }
    for (const [key, text] of Object.entries(en)) {
      if (!PLURAL.test(key)) expect(text, 'an English text is its key').toBe(key);
    }
  });

  it('name no sentence the code does not use, and miss none the code asks for', () => {
    const { translated, thrown } = usedKeys();
    const keys = new Set(Object.keys(en).map(baseOf));
    const unused = [...keys].filter((k) => !translated.has(k) && !thrown.has(k));
    expect(unused, 'catalog keys no t(), msg() or new AppError() names').toEqual([]);
    const missing = [...translated].filter(([k]) => !keys.has(k)).map(([k, files]) => `${k}  (${files.join(', ')})`);
    expect(missing, 'keys the code translates that the catalogs lack').toEqual([]);
  });

  it('keep every {{placeholder}} of a sentence in its French text', () => {
    for (const [key, text] of Object.entries(fr)) {
      const wanted = placeholders(baseOf(key)).filter((name) => name !== 'count' || !PLURAL.test(key));
      for (const name of wanted) expect(placeholders(text), `${key} → ${text}`).toContain(name);
      for (const name of placeholders(text)) expect([...placeholders(key), 'count'], `${key} → ${text} invents {{${name}}}`).toContain(name);
    }
  });

  it('write French with a non-breaking space before ? ! : ; and in « »', () => {
    for (const text of Object.values(fr)) {
      expect(text, text).not.toMatch(/ [?!:;]|[^\u00a0\u202f][?!;](?:\s|$)|«(?!\u00a0)|(?<!\u00a0)»/u);
    }
  });
});
