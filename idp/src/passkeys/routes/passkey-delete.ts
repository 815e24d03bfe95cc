/**
 * POST /my/security/passkeys/:id/delete: deletes one passkey (recent sign-in required; a mail tells the
 * owner). The last way to sign in of an account without a password is refused with the reason.
 */
import { isAppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseInput } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from '../../security/routes/security-show.tsx';
import { deviceLabel } from '../../security/user-agent.ts';
import { passkeyIdParam, optionsInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const params = passkeyIdParam;
export const input = optionsInput;

export async function handler(ctx: AppContext, id: string): Promise<void> {
  try {
    await ctx.state.services.passkeys.remove(ctx.state.portal!.account, id, { ip: ctx.ip, device: deviceLabel(ctx.get('user-agent')) });
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error;
    await renderSecurity(ctx, { error: error.message }, error.status);
    return;
  }
  ctx.status = 303;
  ctx.redirect('/my/security?done=passkey-deleted#passkeys');
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post(`${PASSKEYS_PATH}/:id/delete`, noStore, requireAccount(deps), async function deletePasskey(ctx) {
    const { id } = parseInput(params, ctx.params);
    await withRecentAuth(ctx, 'delete a passkey', () => handler(ctx, id));
  });
}
