/** GET /static/passkeys.js: the one script of the passkey controls (same origin, allowed by the pages' CSP). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineRoute, publicCache } from '../../http/route.ts';
import { PASSKEY_SCRIPT } from './views.tsx';

const script = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../static/passkeys.js'));

export const passkeyScript = defineRoute({
  method: 'GET',
  path: PASSKEY_SCRIPT,
  cache: publicCache(3600),
  handler: async (ctx) => {
    ctx.type = 'text/javascript';
    ctx.body = script;
  },
});
