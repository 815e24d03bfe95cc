#!/usr/bin/env node
// The operator command. Runs the compiled JavaScript in dist/ when it was built from the sources as they
// are now (see idp/scripts/source-stamp.js), else the TypeScript sources through tsx. `npm start`
// (npm_lifecycle_event=start) first builds dist/ when it is missing or stale; a failed build only means
// the sources run through tsx.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`idp needs Node.js 22.12 or newer; this is ${process.versions.node}. See the README.\n`);
  process.exit(1);
}
const { distEntry, distIsFresh } = await import('../scripts/source-stamp.js');
let fresh = distIsFresh();
if (!fresh && process.env.npm_lifecycle_event === 'start') {
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [new URL('../scripts/build.js', import.meta.url).pathname, '--optional'], { stdio: 'inherit' });
  fresh = distIsFresh();
}
if (fresh) {
  await import(distEntry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
}
