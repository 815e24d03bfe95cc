/** POST /my/account/details: name, language and time zone. */
import { z } from 'zod';
import { nameField } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { renderAccount } from './account-show.tsx';
import { seeOther } from '../../http/redirect.ts';

const schema = z.object({
  name: nameField,
  locale: z.string({ error: msg('Choose a language.') }).max(20, msg('Choose a language from the list.')),
  timezone: z.string({ error: msg('Choose a time zone.') }).max(64, msg('Choose a time zone from the list.')),
});

export const saveDetails = defineRoute('POST /my/account/details', {
  guards: [signedIn],
  input: { body: schema },
  rerender: (ctx, error) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(['name', 'locale', 'timezone'].filter((k) => typeof body[k] === 'string').map((k) => [k, String(body[k]).slice(0, 120)]));
    renderAccount(ctx, { error: error.message, fields: error.fields, values });
  },
}, async (ctx, { body }) => {
  await ctx.state.services.security.profile.updateDetails(portalOf(ctx).account, body);
  seeOther(ctx, '/my/account?done=details');
});
