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
// Memory of `idp serve` (issue 16: ≤ 150 MB per worker): each argon2id verification allocates 19 MiB
// in a libuv thread, and glibc keeps that block in the thread's malloc arena for reuse, so RSS grows with
// the number of threads that ever hashed. Two threads per process still keep the cores busy (the cluster
// runs one process per core). Set before anything can start the pool; an explicit value wins.
if (process.argv[2] === 'serve') process.env.UV_THREADPOOL_SIZE ??= '2';
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
