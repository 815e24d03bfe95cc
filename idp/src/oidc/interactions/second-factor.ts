/**
 * POST /interaction/:uid/second-factor: the code step of a sign-in with 2FA. The account comes from the
 * server-side pending record of this interaction (set after the right password), never from the form.
 */
import { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { parseBody } from '../../http/validate.ts';
import { clientNameOf, loadInteraction, renderLogin } from './details.ts';
import { secondFactorView } from './second-factor-view.tsx';
import { completeSignIn, rememberDevice } from './sign-in.ts';

const schema = z.object({
  code: z.string({ error: 'Enter the code from your app.' }).trim().min(1, 'Enter the code from your app.').max(40, 'That code is too long.'),
  remember: z.literal('yes').optional(),
});

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/interaction/:uid/second-factor', async function submitSecondFactor(ctx) {
    const { provider, details } = await loadInteraction(ctx, deps);
    const { security, accounts } = ctx.state.services;
    const client = await clientNameOf(provider, details.params.client_id);
    const accountId = await security.twoFactor.findPending(details.uid);
    const account = accountId ? await accounts.findById(accountId) : undefined;
    if (!account || details.prompt.name !== 'login') {
      html(ctx, await renderLogin(ctx, provider, details, { error: 'Your sign-in took too long. Enter your email and password again.' }), 401);
      return;
    }
    try {
      const input = parseBody(ctx, schema);
      const method = await security.twoFactor.verify(account, input.code, { ip: ctx.ip });
      await security.twoFactor.clearPending(details.uid);
      if (input.remember) await rememberDevice(ctx, account.id);
      await completeSignIn(ctx, provider, account, ['pwd', method === 'totp' ? 'otp' : 'mfa']);
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      for (const [k, v] of Object.entries(error.headers ?? {})) ctx.set(k, v);
      html(ctx, secondFactorView({ uid: details.uid, csrf: ctx.state.csrfToken, clientName: client.name, error: error.message }), error.status);
    }
  });
}
