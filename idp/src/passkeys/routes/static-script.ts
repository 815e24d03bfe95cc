/** GET /static/passkeys.js: the one script of the passkey controls (same origin, allowed by the pages' CSP). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '../../http/router.ts';
import { PASSKEY_SCRIPT } from './views.tsx';

const script = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../static/passkeys.js'));

export function register(router: AppRouter): void {
  router.get(PASSKEY_SCRIPT, async function passkeyScript(ctx) {
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = script;
  });
}
