/** POST /my/security/devices/:id/logout: signs one other device out (its apps are told by back-channel logout). */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseInput } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Unknown device.') });

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/devices/:id/logout', noStore, requireAccount(deps), async function signOutDevice(ctx) {
    const { account, session } = ctx.state.portal!;
    const { id } = parseInput(params, ctx.params);
    if (id === session.uid) throw new AppError('bad_request', 'To sign out this device, use Log out at the top of the page.');
    if (!(await ctx.state.services.security.sessions.endSession(account.id, id))) {
      throw new AppError('not_found', 'That device is not signed in any more.');
    }
    ctx.status = 303;
    ctx.redirect('/my/security?done=device-out#devices');
  });
}
