/** POST /my/account/details: name, language and time zone. */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import { nameField } from '../../http/fields.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { renderAccount } from './account-show.tsx';

const schema = z.object({
  name: nameField,
  locale: z.string({ error: 'Choose a language.' }).max(20, 'Choose a language from the list.'),
  timezone: z.string({ error: 'Choose a time zone.' }).max(64, 'Choose a time zone from the list.'),
});

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/my/account/details', noStore, requireAccount(deps), async function saveDetails(ctx) {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(['name', 'locale', 'timezone'].filter((k) => typeof body[k] === 'string').map((k) => [k, String(body[k]).slice(0, 120)]));
    try {
      const input = parseBody(ctx, schema);
      await ctx.state.services.security.profile.updateDetails(ctx.state.portal!.account, input);
      ctx.status = 303;
      ctx.redirect('/my/account?done=details');
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      renderAccount(ctx, { error: error.message, fields: error.fields, values }, error.status);
    }
  });
}
