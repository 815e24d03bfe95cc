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
import { catalogShapeProblems, frenchTypographyProblems, LITERAL, placeholderProblems, sourceFiles, unquote, usageProblems } from '../../../shared/i18n-catalog-checks.ts';
import { catalogs } from './translator.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// t('…'), msg('…') and <Rich key_="…">; then new AppError(code, '…').
const CALLS = [new RegExp(String.raw`(?:(?<![\w$])(?:t|msg)\(\s*|\bkey_=)${LITERAL}`, 'g'), new RegExp(String.raw`new AppError\(\s*'[a-z_]+',\s*${LITERAL}`, 'g')];

/** Every string literal the code hands to t(), msg() or new AppError(), with the files naming it. */
function usedKeys(): { translated: Map<string, string[]>; thrown: Set<string> } {
  const translated = new Map<string, string[]>();
  const thrown = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
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

const { en, fr } = catalogs as unknown as Record<'en' | 'fr', Record<string, string>>;

describe('message catalogs', () => {
  it('hold the same sentences in English and French, with the plural forms of each language', () => {
    expect(catalogShapeProblems(en, fr)).toEqual([]);
  });

  it('name no sentence the code does not use, and miss none the code asks for', () => {
    const { translated, thrown } = usedKeys();
    const { unused, missing } = usageProblems(en, translated, thrown);
    expect(unused, 'catalog keys no t(), msg() or new AppError() names').toEqual([]);
    expect(missing, 'keys the code translates that the catalogs lack').toEqual([]);
  });

  it('keep every {{placeholder}} of a sentence in its French text', () => {
    expect(placeholderProblems(fr)).toEqual([]);
  });

  it('write French with a non-breaking space before ? ! : ; and in « »', () => {
    expect(frenchTypographyProblems(fr)).toEqual([]);
  });
});
