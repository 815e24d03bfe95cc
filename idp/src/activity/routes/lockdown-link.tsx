/**
 * /lockdown?token=…: the "this wasn't me" link of a new-sign-in mail. GET shows the confirmation (mail
 * scanners that prefetch links only GET, so they cannot spend it); POST spends the one-time token
 * (7 days, bound to its account) and secures that account. Nobody needs to be signed in.
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { lockdownConfirmPage, lockdownDonePage, lockdownLinkExpiredPage } from './views.tsx';

const linkSchema = z.object({ token: tokenField });

export const showLockdownLink = defineRoute('GET /lockdown', { input: { query: linkSchema } }, async (ctx, { query }) => {
  if (!await ctx.state.services.security.lockdown.isMailLinkLive(query.token)) {
    html(ctx, lockdownLinkExpiredPage({ t: ctx.state.t }), 410);
    return;
  }
  html(ctx, lockdownConfirmPage({ t: ctx.state.t, csrf: ctx.state.csrfToken, action: '/lockdown', token: query.token }));
});

export const lockDownFromLink = defineRoute('POST /lockdown', { input: { body: linkSchema } }, async (ctx, { body }) => {
  const { email } = await ctx.state.services.security.lockdown.lockDownFromMailLink(body.token, ctx.ip);
  html(ctx, lockdownDonePage({ t: ctx.state.t, email }));
});
