/**
 * What the IdP's and the extension's catalogs tests both hold their catalogs to (idp/src/i18n/catalogs.test.ts,
 * extension/lib/i18n/catalogs.test.ts): the same sentences in English and French with each language's plural
 * forms, every placeholder kept, French typography. Each check returns what is wrong, one line a problem, so a
 * test asserts `toEqual([])` and its failure names them all. Test code only (reads the file system).
 */
import fs from 'node:fs';
import path from 'node:path';

export type Catalog = Record<string, string>;

const PLURAL = /_(zero|one|two|few|many|other)$/;
export const isPluralForm = (key: string) => PLURAL.test(key);
/** A key without its plural suffix: the sentence code asks for. */
export const baseOf = (key: string) => key.replace(PLURAL, '');
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();

/** en and fr hold the same sentences; English has one/other, French one/many/other; an English text is its key. */
export function catalogShapeProblems(en: Catalog, fr: Catalog): string[] {
  const bases = (catalog: Catalog) => new Set(Object.keys(catalog).map(baseOf));
  const [inEn, inFr] = [bases(en), bases(fr)];
  const problems = [
    ...[...inEn].filter((k) => !inFr.has(k)).map((k) => `missing in French: ${k}`),
    ...[...inFr].filter((k) => !inEn.has(k)).map((k) => `only in French: ${k}`),
  ];
  const formsOf = (catalog: Catalog, base: string) => Object.keys(catalog).filter((k) => k !== base && baseOf(k) === base).sort().join(' ');
  for (const key of Object.keys(en).filter((k) => k.endsWith('_other'))) {
    const base = baseOf(key);
    if (formsOf(en, base) !== `${base}_one ${base}_other`) problems.push(`English plural forms of ${base}: ${formsOf(en, base)}`);
    if (formsOf(fr, base) !== `${base}_many ${base}_one ${base}_other`) problems.push(`French plural forms of ${base}: ${formsOf(fr, base)}`);
  }
  for (const [key, text] of Object.entries(en)) if (!isPluralForm(key) && text !== key) problems.push(`the English text of ${key} is not its key: ${text}`);
  return problems;
}

/** Every `{{placeholder}}` of a sentence is in its French text, and French invents none (`count` aside in plurals). */
export function placeholderProblems(fr: Catalog): string[] {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(fr)) {
    const wanted = placeholders(baseOf(key)).filter((name) => name !== 'count' || !isPluralForm(key));
    for (const name of wanted) if (!placeholders(text).includes(name)) problems.push(`${key} → ${text} drops {{${name}}}`);
    for (const name of placeholders(text)) if (![...placeholders(key), 'count'].includes(name)) problems.push(`${key} → ${text} invents {{${name}}}`);
  }
  return problems;
}

/** French puts a non-breaking space before ? ! : ; and inside « ». */
export function frenchTypographyProblems(fr: Catalog): string[] {
  return Object.values(fr).filter((text) => / [?!:;]|[^\u00a0\u202f][?!;](?:\s|$)|«(?!\u00a0)|(?<!\u00a0)»/u.test(text));
}

/** The source files below `dir` (TypeScript, tests and test helpers left out, nor node_modules or dot folders). */
export function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test(-helper)?\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** A quoted string literal in a regular expression's source, and its value. */
export const LITERAL = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;
export function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Keys no use names, and uses of keys the catalogs lack (with the files naming them). */
export function usageProblems(en: Catalog, used: Map<string, string[]>, alsoUsed: ReadonlySet<string> = new Set()): { unused: string[]; missing: string[] } {
  const keys = new Set(Object.keys(en).map(baseOf));
  return {
    unused: [...keys].filter((k) => !used.has(k) && !alsoUsed.has(k)),
    missing: [...used].filter(([k]) => !keys.has(k)).map(([k, files]) => `${k}  (${files.join(', ')})`),
  };
}
