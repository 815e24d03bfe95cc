/** POST /my/security/passkeys/:id/rename: a new name for one of the account's passkeys. */
import type { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody, parseInput } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { passkeyIdParam, renameInput } from './schemas.ts';
import { PASSKEYS_PATH } from './views.tsx';

export const params = passkeyIdParam;
export const input = renameInput;

export async function handler(ctx: AppContext, id: string, values: z.infer<typeof input>): Promise<void> {
  await ctx.state.services.passkeys.rename(ctx.state.portal!.account, id, values.name);
  ctx.status = 303;
  ctx.redirect('/my/security?done=passkey-renamed#passkeys');
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post(`${PASSKEYS_PATH}/:id/rename`, noStore, requireAccount(deps), async function renamePasskey(ctx) {
    const { id } = parseInput(params, ctx.params);
    await handler(ctx, id, parseBody(ctx, input));
  });
}
