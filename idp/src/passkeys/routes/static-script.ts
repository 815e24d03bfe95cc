/** GET /static/passkeys.js: the one script of the passkey controls (same origin, allowed by the pages' CSP). */
import { staticAsset } from '../../http/static-asset.ts';

export const passkeyScript = staticAsset('passkeys.js', 'text/javascript');
