/**
 * No English left in the components (issue 19): every sentence a person reads comes from the catalogs.
 * The check parses every `.tsx` of the IdP (with `@swc/core`, as TypeScript) and lists the text a
 * component would show as it is written:
 * - JSX text holding a letter (`<p>Sign in</p>`);
 * - a string literal given to an attribute a person reads (label, title, hint, legend, heading, button,
 *   placeholder, alt, aria-label, …), directly or as a JSX expression (`label={'Name'}`).
 * What is the same in every language (a product name, a format, a code) is listed in SAME_EVERYWHERE
 * with the file it stands in. catalogs.test.ts holds the other half: every key translated and used.
 *
 * The sentences services and routes throw are read by a person too (the error handler words an AppError
 * in the request's language when its message is a catalog key): every `new AppError(code, '…')` outside
 * what only operators and developers read (ENGLISH_ONLY) names a catalog sentence, and none is built with a template literal (a
 * key with `{{params}}` is what can be translated). The same holds for what a schema or a guard says
 * (zod messages, `jsonBody(…)`, the action `recentAuth(…)` names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from '@swc/core';
import { describe, expect, it } from 'vitest';
import { isMessageKey } from './translator.ts';

const srcDir = path.resolve(import.meta.dirname, '..');

/** Attributes whose string value a person reads or hears. */
const READ_ATTRIBUTES = new Set([
  'label', 'title', 'hint', 'legend', 'heading', 'button', 'placeholder', 'alt', 'aria-label', 'aria-description',
  'summary', 'description', 'submit', 'caption', 'confirm', 'text',
]);

/** Text that reads the same in every language: `file: text`. */
const SAME_EVERYWHERE = new Set<string>([
  'ui/render.tsx: Latchkey',
]);

/** What stays English, with who reads it: folders (ending in /) or files. */
const ENGLISH_ONLY: Record<string, string> = {
  'cli/': 'the idp command: operators',
  'config/': 'the settings read at boot: operators',
  'databases/routes/database-api.ts': "a database app's own API (client credentials grant): the app's developers",
  'http/graceful-server.ts': 'the JSON answered while the IdP starts, before a request has a language: clients retry',
  'passkeys/passkey-service.ts': "a malformed WebAuthn answer from the browser: the page's script shows its own words",
};
const englishOnly = (relative: string) => Object.keys(ENGLISH_ONLY).some((place) => (place.endsWith('/') ? relative.startsWith(place) : relative === place));

function sources(dir: string, ending: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full, ending);
    return ending.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

type Node = { type?: string; [key: string]: unknown };
const hasLetter = (text: string) => /\p{L}/u.test(text);

/** Every piece of English a component shows as written, as `file: text`. */
function findings(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const program = parseSync(source, { syntax: 'typescript', tsx: true });
  const relative = path.relative(srcDir, file);
  const found: string[] = [];
  const report = (text: string) => {
    const folded = text.replace(/\s+/g, ' ').trim();
    if (hasLetter(folded)) found.push(`${relative}: ${folded}`);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'JSXText') report(String(n.value));
    if (n.type === 'JSXAttribute') {
      const name = n.name as Node;
      const attribute = name.type === 'Identifier' ? String(name.value) : `${(name.namespace as Node)?.value}:${(name.name as Node)?.value}`;
      if (READ_ATTRIBUTES.has(attribute)) {
        const value = n.value as Node | null;
        if (value?.type === 'StringLiteral') report(String(value.value));
        if (value?.type === 'JSXExpressionContainer') {
          const expression = value.expression as Node;
          if (expression.type === 'StringLiteral') report(String(expression.value));
          if (expression.type === 'TemplateLiteral') for (const quasi of expression.quasis as Node[]) report(String(quasi.raw));
        }
      }
    }
    for (const [key, child] of Object.entries(n)) if (key !== 'span') walk(child);
  };
  walk(program.body);
  return found;
}

describe('components', () => {
  it('show no sentence that does not come from the catalogs', () => {
    const all = sources(srcDir, /\.tsx$/).flatMap(findings);
    const left = all.filter((entry) => !SAME_EVERYWHERE.has(entry));
    expect(left, 'English written into a component: put it in en.json/fr.json and show it with t()').toEqual([]);
    const stale = [...SAME_EVERYWHERE].filter((entry) => !all.includes(entry));
    expect(stale, 'SAME_EVERYWHERE entries nothing shows any more').toEqual([]);
  });

  it('throw no sentence a person reads that is not in the catalogs', () => {
    const left: string[] = [];
    for (const file of sources(srcDir, /\.tsx?$/)) {
      const relative = path.relative(srcDir, file);
      if (englishOnly(relative)) continue;
      const text = fs.readFileSync(file, 'utf8');
      // A server error's message is logged, never shown (errors.ts: `expose` is false from 500 up).
      for (const m of text.matchAll(/new AppError\(\s*'(?!server_error')[a-z_]+',\s*(?:'((?:[^'\\]|\\.)*)'|(`))/g)) {
        if (m[2]) left.push(`${relative}: a sentence built with a template literal (use a key with {{params}})`);
        else if (!isMessageKey(m[1]!.replace(/\\(.)/g, '$1'))) left.push(`${relative}: ${m[1]}`);
      }
    }
    expect(left, 'AppError sentences missing from en.json/fr.json').toEqual([]);
  });

  it('validate input with sentences from the catalogs', () => {
    // zod's `.min(n, '…')`-style checks, jsonBody('…') and recentAuth('…'); `{ error: '…' }` and
    // `{ message: '…' }` when they hold a sentence (not a protocol code like 'invalid_request').
    const CHECK = /(?:\.(?:min|max|length|regex|email|url|int|refine|startsWith|endsWith|includes)\((?:[^'`()]|\([^()]*\))*?,\s*|\bjsonBody\(|\brecentAuth\(|z\.literal\([^)]*?,\s*)(?:'((?:[^'\\]|\\.)*)'|(`))/g;
    const OPTION = /\b(?:error|message): '((?:[^'\\]|\\.)* (?:[^'\\]|\\.)*)'/g;
    const left: string[] = [];
    for (const file of sources(srcDir, /\.tsx?$/)) {
      const relative = path.relative(srcDir, file);
      if (englishOnly(relative)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of [...text.matchAll(CHECK), ...text.matchAll(OPTION)]) {
        if (m[2]) left.push(`${relative}: a message built with a template literal`);
        else if (!isMessageKey(m[1]!.replace(/\\(.)/g, '$1'))) left.push(`${relative}: ${m[1]}`);
      }
    }
    expect(left, 'input messages missing from en.json/fr.json').toEqual([]);
  });
});
