/**
 * /my/account/email/confirm?token=…: GET shows a button, POST makes the new address the account's
 * (mail scanners only GET, so they cannot spend the link). Both need the session of the account that
 * asked for the change, and the page names it: the mailbox alone must not move an address to an
 * account its owner never heard of (issue 13, finding 6).
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { msg } from '../../i18n/translator.ts';
import { linkConfirmPage, linkFor, linkSpentPage } from './mailed-link.tsx';

const schema = z.object({ token: tokenField });
const confirming = unconfirmedAllowed('confirms a change of address, which an unconfirmed account may make');

export const showConfirmEmailChange = defineRoute('GET /my/account/email/confirm', { guards: [signedIn, confirming], input: { query: schema } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  const link = linkFor(await ctx.state.services.security.profile.peekEmailChange(query.token), account, msg('This confirmation link is invalid, was already used or has expired. Ask for the change again.'));
  html(ctx, linkConfirmPage(t, {
    title: t('Confirm your new email'), heading: t('Confirm your new email address'), action: '/my/account/email/confirm', token: query.token, csrf: ctx.state.csrfToken,
    button: t('Use this address for my account'), says: msg('This makes {{email}} the address of the account you are signed in to: {{name}} (now {{accountEmail}}).'), email: link.email, account,
  }));
});

export const confirmEmailChange = defineRoute('POST /my/account/email/confirm', { guards: [signedIn, confirming], input: { body: schema } }, async (ctx, { body }) => {
  const account = await ctx.state.services.security.profile.confirmEmailChange(body.token, portalOf(ctx).account.id);
  const { t } = ctx.state;
  html(ctx, linkSpentPage(t, account, t('Email changed'), t('Your account email is now {{email}} (the account of {{name}}).', { email: account.email, name: account.name })));
});
