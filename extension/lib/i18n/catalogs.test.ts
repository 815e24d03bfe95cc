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
import { catalogShapeProblems, frenchTypographyProblems, LITERAL, placeholderProblems, sourceFiles, unquote, usageProblems } from '../../../shared/i18n-catalog-checks.ts';
import { catalogs } from './translator.ts';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CALL = new RegExp(String.raw`(?<![\w$.])(?:t|msg)\(\s*${LITERAL}`, 'g');

/** Every string literal the code hands to t() or msg(), with the files naming it. */
function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sourceFiles(extensionDir)) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(CALL)) {
      const key = unquote(m[1]!);
      used.set(key, [...(used.get(key) ?? []), path.relative(extensionDir, file)]);
    }
  }
  return used;
}

const { en, fr } = catalogs as unknown as Record<'en' | 'fr', Record<string, string>>;

describe('extension message catalogs', () => {
  it('hold the same sentences in English and French, with the plural forms of each language', () => {
    expect(catalogShapeProblems(en, fr)).toEqual([]);
  });

  it('name no sentence the code does not use, and miss none the code asks for', () => {
    const { unused, missing } = usageProblems(en, usedKeys());
    expect(unused, 'catalog keys no t() or msg() names').toEqual([]);
    expect(missing, 'keys the code translates that the catalogs lack').toEqual([]);
  });

  it('keep every {{placeholder}} of a sentence in its French text', () => {
    expect(placeholderProblems(fr)).toEqual([]);
  });

  it('write French with a non-breaking space before ? ! : ; and in « »', () => {
    expect(frenchTypographyProblems(fr)).toEqual([]);
  });
});
