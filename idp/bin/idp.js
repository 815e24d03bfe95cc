#!/usr/bin/env node
// The operator command. Runs the TypeScript sources through tsx so there is no build step.
import { register } from 'tsx/esm/api';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`idp needs Node.js 22.12 or newer; this is ${process.versions.node}. See the README.\n`);
  process.exit(1);
}
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
