/** POST /my/security/passkeys/options (JSON): creation options for a new passkey, after a recent sign-in. */
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { assertRecentAuth } from '../../security/reauth.ts';
import { optionsInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const input = optionsInput;

export async function handler(ctx: AppContext): Promise<void> {
  const { account, session } = ctx.state.portal!;
  // The script posts the add form as it is on this answer, and the server asks for the password there.
  assertRecentAuth(session.loginTs);
  ctx.body = await ctx.state.services.passkeys.registrationOptions(account, session.uid, ctx.ip);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post(`${PASSKEYS_PATH}/options`, noStore, requireAccount(deps), async function passkeyRegistrationOptions(ctx) {
    parseBody(ctx, input);
    await handler(ctx);
  });
}
