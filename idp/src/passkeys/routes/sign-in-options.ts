/**
 * POST /interaction/:uid/passkey/options (JSON): request options for signing in with a passkey in this
 * interaction. Discoverable flow: no email is asked or sent, so the answer is the same for everyone.
 */
import { AppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { loadInteraction } from '../../oidc/interactions/details.ts';
import { optionsInput } from './schemas.ts';

export const input = optionsInput;

export async function handler(ctx: AppContext, deps: RouteDeps): Promise<void> {
  const { details } = await loadInteraction(ctx, deps);
  if (details.prompt.name !== 'login') throw new AppError('conflict', 'You are already signed in. Go back to the application and start again.');
  ctx.body = await ctx.state.services.passkeys.signInOptions(details.uid, ctx.ip);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post('/interaction/:uid/passkey/options', noStore, async function passkeySignInOptions(ctx) {
    parseBody(ctx, input);
    await handler(ctx, deps);
  });
}
