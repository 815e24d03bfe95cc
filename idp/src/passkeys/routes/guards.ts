/** Guards of the passkey JSON calls. */
import { defineGuard } from '../../http/route.ts';
import { portalOf } from '../../portal/portal-session.ts';
import { assertRecentAuth } from '../../security/reauth.ts';

/**
 * `recent-sign-in` for the options call of "Add a passkey": a JSON 401 `reauthentication_required`
 * instead of the re-authentication page (the script then posts the add form as it is, and the add
 * route's own `recentAuth` guard asks for the password there).
 */
export const recentSignInJson = defineGuard('recent-sign-in', async (ctx) => {
  assertRecentAuth(portalOf(ctx).session.loginTs);
  return true;
}, 'confirm');
