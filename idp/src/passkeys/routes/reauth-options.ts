/** POST /my/security/passkeys/reauth-options (JSON): request options to confirm it is you with one of the account's passkeys. */
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { optionsInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const input = optionsInput;

export async function handler(ctx: AppContext): Promise<void> {
  const { account, session } = ctx.state.portal!;
  ctx.body = await ctx.state.services.passkeys.reauthOptions(account, session.uid, ctx.ip);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post(`${PASSKEYS_PATH}/reauth-options`, noStore, requireAccount(deps), async function passkeyReauthOptions(ctx) {
    parseBody(ctx, input);
    await handler(ctx);
  });
}
