/**
 * /my/security/lockdown: "This wasn't me" from the activity page. GET shows what will happen (and the
 * entry reported, when one is named); POST secures the account. No recent sign-in is asked: whoever
 * got in may have changed what the person would need for one, and securing only takes access away.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { cursorField } from '../schemas.ts';
import { lockdownConfirmPage, lockdownDonePage } from './views.tsx';

export const showLockdown = defineRoute('GET /my/security/lockdown', { guards: [signedIn], input: { query: z.object({ entry: cursorField }) } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const entry = query.entry === undefined ? undefined : await ctx.state.services.activity.entry(account.id, query.entry, ctx.state.t);
  if (query.entry !== undefined && !entry) throw new AppError('not_found', 'That activity entry is not in your recent security activity.');
  html(ctx, lockdownConfirmPage({ t: ctx.state.t, account, csrf: ctx.state.csrfToken, action: '/my/security/lockdown', entry, tz: account.timezone }));
});

export const lockDownAccount = defineRoute('POST /my/security/lockdown', { guards: [signedIn], input: { body: buttonForm } }, async (ctx) => {
  const { account } = portalOf(ctx);
  await ctx.state.services.security.lockdown.lockDown(account, 'portal', ctx.ip);
  // This browser's session ended with the others: the answer page is a signed-out one.
  html(ctx, lockdownDonePage({ t: ctx.state.t, email: account.email }));
});
