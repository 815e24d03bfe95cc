/**
 * The fingerprint of what dist/ is compiled from: the number of source files and directories and the
 * newest modification time among them (an added or removed file changes its directory's time). The build
 * writes it to dist/.source-stamp; idp/bin/idp.js runs dist/ only while the sources still give the same
 * fingerprint, so an edited checkout never runs stale JavaScript. Plain JavaScript: it runs before tsx.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = path.join(repoRoot, 'dist');
export const stampFile = path.join(distDir, '.source-stamp');
/** The compiled entry of the `idp` command. */
export const distEntry = path.join(distDir, 'idp/src/cli/bin.js');

const inputs = ['idp/src', 'idp/static', 'shared', 'idp/tsconfig.build.json', 'tsconfig.json', 'package.json'];

export function sourceStamp() {
  let count = 0;
  let newest = 0;
  const visit = (p) => {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    count++;
    newest = Math.max(newest, stat.mtimeMs);
    // Tests are not compiled: editing one leaves dist/ fresh.
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) if (!/\.test\.tsx?$/.test(name)) visit(path.join(p, name));
  };
  for (const input of inputs) visit(path.join(repoRoot, input));
  return `${count}:${Math.round(newest)}`;
}

/** True when dist/ exists and was compiled from the sources as they are now. */
export function distIsFresh() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === sourceStamp();
  } catch {
    return false;
  }
}
