#!/usr/bin/env node
/**
 * `npm run build`: compiles the IdP to dist/ with the TypeScript compiler (idp/tsconfig.build.json),
 * copies idp/static beside it (the pages read it relative to their own file) and writes the source
 * stamp last, so a half-written dist/ is never taken for a fresh one. The new tree is built aside and
 * swapped in by rename.
 *
 *   --if-stale   do nothing when dist/ is already fresh
 *   --optional   never fail (npm install without dev dependencies has no compiler; the IdP then runs
 *                from source through tsx): print why and exit 0
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { distDir, distIsFresh, repoRoot, sourceStamp, stampFile } from './source-stamp.js';

const args = process.argv.slice(2);
const optional = args.includes('--optional');

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  if (optional) process.stderr.write('build: the IdP will run from source through tsx (slower start, more memory)\n');
  process.exit(optional ? 0 : 1);
}

if (args.includes('--if-stale') && distIsFresh()) process.exit(0);

let tsc;
try {
  tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
} catch {
  fail('the TypeScript compiler (dev dependency "typescript") is not installed');
}
const stamp = sourceStamp(); // before compiling: an edit made meanwhile leaves dist/ stale, not wrongly fresh
const next = `${distDir}.next-${process.pid}`;
fs.rmSync(next, { recursive: true, force: true });
const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'idp/tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
if (result.status !== 0) {
  fs.rmSync(next, { recursive: true, force: true });
  fail(`tsc failed (exit ${result.status ?? result.signal}); dist/ left as it was`);
}
fs.cpSync(path.join(repoRoot, 'idp/static'), path.join(next, 'idp/static'), { recursive: true });
fs.writeFileSync(path.join(next, '.source-stamp'), `${stamp}\n`);
const old = `${distDir}.old-${process.pid}`;
if (fs.existsSync(distDir)) fs.renameSync(distDir, old);
fs.renameSync(next, distDir);
fs.rmSync(old, { recursive: true, force: true });
process.stderr.write(`build: dist/ compiled in ${Date.now() - started} ms (${path.relative(repoRoot, stampFile)} ${stamp})\n`);
