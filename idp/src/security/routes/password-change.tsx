/** POST /my/security/password: change the password (current one required); other devices are signed out. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from './security-show.tsx';

const schema = z.object({
  current_password: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(1024, 'That password is too long.'),
  new_password: z.string({ error: 'Choose a new password.' }).min(1, 'Choose a new password.').max(1024, 'That password is too long.'),
});

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/security/password', noStore, requireAccount(deps), async function changePassword(ctx) {
    const { account, session } = ctx.state.portal!;
    try {
      const input = parseBody(ctx, schema);
      await withRecentAuth(ctx, 'change your password', async () => {
        await ctx.state.services.security.passwords.changePassword(account, { current: input.current_password, next: input.new_password },
          { sessionUid: session.uid, ip: ctx.ip, userAgent: ctx.get('user-agent') });
        ctx.status = 303;
        ctx.redirect('/my/security?done=password#password');
      });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      await renderSecurity(ctx, { error: error.message, fields: error.fields }, error.status);
    }
  });
}
