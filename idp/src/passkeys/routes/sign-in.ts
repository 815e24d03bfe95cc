/**
 * POST /interaction/:uid/passkey: signs in with a passkey. The account is the one the passkey belongs
 * to; the sign-in needs no second factor (a user-verified passkey is already two factors) and its time
 * counts as a recent sign-in. Databases apply their membership rules after it, as after a password.
 * Failures re-render the sign-in form with the reason.
 */
import type { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { loadInteraction, renderLogin } from '../../oidc/interactions/details.ts';
import { completeSignIn } from '../../oidc/interactions/sign-in.ts';
import { signInInput } from './schemas.ts';

export const input = signInInput;

export async function handler(ctx: AppContext, deps: RouteDeps): Promise<void> {
  const { provider, details } = await loadInteraction(ctx, deps);
  const render = async (error: string, status: number) => {
    html(ctx, await renderLogin(ctx, provider, details, { error }), status);
  };
  if (details.prompt.name !== 'login') {
    await render('You are already signed in. Go back to the application and start again.', 409);
    return;
  }
  try {
    const values: z.infer<typeof input> = parseBody(ctx, input);
    const { account, amr } = await ctx.state.services.passkeys.signIn(details.uid, values.response, ctx.ip);
    await completeSignIn(ctx, provider, account, amr);
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error;
    for (const [k, v] of Object.entries(error.headers ?? {})) ctx.set(k, v);
    await render(error.message, error.status);
  }
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/interaction/:uid/passkey', noStore, async function signInWithPasskey(ctx) {
    await handler(ctx, deps);
  });
}
