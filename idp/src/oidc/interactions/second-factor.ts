/**
 * POST /interaction/:uid/second-factor: the code step of a sign-in with 2FA. The account comes from the
 * server-side pending record of this interaction (set after the right password), never from the form.
 */
import { z } from 'zod';
import type { Account } from '../../accounts/types.ts';
import type { AppContext } from '../../http/context.ts';
import { signedOutPage } from '../../http/language.ts';
import { defineRoute } from '../../http/route.ts';
import { msg } from '../../i18n/translator.ts';
import { html } from '../../http/security-headers.ts';
import { clientNameOf, interaction, interactionOf, renderLogin } from './details.ts';
import { secondFactorView } from './second-factor-view.tsx';
import { completeSignIn, countingSignInFailures, rememberDevice } from './sign-in.ts';

const schema = z.object({
  code: z.string({ error: msg('Enter the code from your app.') }).trim().min(1, msg('Enter the code from your app.')).max(40, msg('That code is too long.')),
  remember: z.literal('yes', { error: msg('Use the checkbox on the page to remember this browser.') }).optional(),
});

/** The account waiting for its code in this interaction, or undefined once the pending step expired. */
async function pendingAccount(ctx: AppContext): Promise<Account | undefined> {
  const { details } = interactionOf(ctx);
  const { security, accounts } = ctx.state.services;
  const accountId = await security.twoFactor.findPending(details.uid);
  const account = accountId ? await accounts.findById(accountId) : undefined;
  return account && details.prompt.name === 'login' ? account : undefined;
}

async function tookTooLong(ctx: AppContext): Promise<void> {
  const { provider, details } = interactionOf(ctx);
  html(ctx, await renderLogin(ctx, provider, details, { error: ctx.state.t('Your sign-in took too long. Enter your email and password again.') }), 401);
}

export const submitSecondFactor = defineRoute('POST /interaction/:uid/second-factor', {
  guards: [interaction],
  input: { body: schema },
  rerender: async (ctx, error) => {
    // Same answer as the handler's: without a pending sign-in a code means nothing.
    if (!await pendingAccount(ctx)) {
      await tookTooLong(ctx);
      return;
    }
    const { provider, details } = interactionOf(ctx);
    const client = await clientNameOf(provider, details.params.client_id);
    html(ctx, secondFactorView({ ...signedOutPage(ctx), uid: details.uid, clientName: client.name, error: error.message, fields: error.fields }));
  },
}, async (ctx, { body }) => {
  const { provider, details } = interactionOf(ctx);
  const { security } = ctx.state.services;
  const account = await pendingAccount(ctx);
  if (!account) {
    await tookTooLong(ctx);
    return;
  }
  const method = await countingSignInFailures('second_factor_failed', () => security.twoFactor.verify(account, body.code, { ip: ctx.ip }));
  await security.twoFactor.clearPending(details.uid);
  if (body.remember) await rememberDevice(ctx, account.id);
  await completeSignIn(ctx, provider, account, ['pwd', method === 'totp' ? 'otp' : 'mfa']);
});
