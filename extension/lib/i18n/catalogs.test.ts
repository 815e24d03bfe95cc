/**
 * The extension's catalogs are complete and used, as the IdP's are: en and fr hold the same keys (plural
 * forms counted per language: English one/other, French one/many/other); every key is used by the code;
 * every key the code names with `t('…')` or `msg('…')` is in the catalogs; every `{{placeholder}}` of a
 * key is in its French text; French text puts a non-breaking space before ? ! : ; and inside « ».
 *
 * "Used" is read from the sources under extension/ (tests left out): the first argument of `t(…)` and
 * `msg(…)` when it is a string literal. Errors are worded where they are thrown
 * (`new ExtensionError(code, t('…'))`), so they are `t(…)` calls too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogs } from './translator.ts';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test(-helper)?\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const LITERAL = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;
const CALL = new RegExp(String.raw`(?<![\w$.])(?:t|msg)\(\s*${LITERAL}`, 'g');

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Every string literal the code hands to t() or msg(), with the files naming it. */
function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sources(extensionDir)) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(CALL)) {
      const key = unquote(m[1]!);
      used.set(key, [...(used.get(key) ?? []), path.relative(extensionDir, file)]);
    }
  }
  return used;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseOf = (key: string) => key.replace(PLURAL, '');
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
const { en, fr } = catalogs as unknown as Record<'en' | 'fr', Record<string, string>>;

describe('extension message catalogs', () => {
  it('hold the same sentences in English and French, with the plural forms of each language', () => {
    const bases = (catalog: Record<string, string>) => [...new Set(Object.keys(catalog).map(baseOf))].sort();
    expect(bases(fr)).toEqual(bases(en));
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
    const used = usedKeys();
    const keys = new Set(Object.keys(en).map(baseOf));
    expect([...keys].filter((k) => !used.has(k)), 'catalog keys no t() or msg() names').toEqual([]);
    const missing = [...used].filter(([k]) => !keys.has(k)).map(([k, files]) => `${k}  (${files.join(', ')})`);
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
