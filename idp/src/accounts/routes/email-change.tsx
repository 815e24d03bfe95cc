/** POST /my/account/email: asks to change the email (re-authentication required); effective on confirmation. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import { emailField } from '../../http/fields.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { renderAccount } from './account-show.tsx';

const schema = z.object({ email: emailField });

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/account/email', noStore, requireAccount(deps), async function requestEmailChange(ctx) {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    try {
      const { email } = parseBody(ctx, schema);
      await withRecentAuth(ctx, 'change your email address', async () => {
        await ctx.state.services.security.profile.requestEmailChange(ctx.state.portal!.account, email);
        ctx.status = 303;
        ctx.redirect('/my/account?done=email-sent');
      });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      renderAccount(ctx, { error: error.message, fields: error.fields, values: { email: typeof body.email === 'string' ? body.email.slice(0, 254) : '' } }, error.status);
    }
  });
}
