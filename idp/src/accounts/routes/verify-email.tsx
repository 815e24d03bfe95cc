/**
 * /verify-email?token=…: GET shows a button, POST confirms. Mail scanners that prefetch links only GET,
 * so they cannot spend the one-time token.
 *
 * Both need the session of the account the link was sent for (signed out: sign in first, then back
 * here): the mailbox proves the address, the session proves the account. A link opened in another
 * account's session is refused and attaches nothing (issue 13, finding 6). The page names the account.
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn, unconfirmedAllowed } from '../../portal/portal-session.ts';
import { msg } from '../../i18n/translator.ts';
import { linkConfirmPage, linkFor, linkSpentPage } from './mailed-link.tsx';

const schema = z.object({ token: tokenField });
const confirming = unconfirmedAllowed('this is the confirmation itself');

export const showVerifyEmail = defineRoute('GET /verify-email', { guards: [signedIn, confirming], input: { query: schema } }, async (ctx, { query }) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  const link = linkFor(await ctx.state.services.accounts.peekEmailConfirmation(query.token), account, msg('This confirmation link is invalid or has expired. Ask for a new one on your account page.'));
  html(ctx, linkConfirmPage(t, {
    title: t('Confirm your email'), heading: t('Confirm your email address'), action: '/verify-email', token: query.token, csrf: ctx.state.csrfToken,
    button: t('Confirm my address'), says: msg('This confirms {{email}} for the account you are signed in to: {{name}} ({{accountEmail}}).'), email: link.email, account,
  }));
});

export const submitVerifyEmail = defineRoute('POST /verify-email', { guards: [signedIn, confirming], input: { body: schema } }, async (ctx, { body }) => {
  const account = await ctx.state.services.accounts.verifyEmail(body.token, portalOf(ctx).account.id);
  const { t } = ctx.state;
  html(ctx, linkSpentPage(t, account, t('Email confirmed'), t('{{email}} is confirmed for the account of {{name}}.', { email: account.email, name: account.name })));
});
