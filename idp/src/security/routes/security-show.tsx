/** GET /my/security: Connection & Security. */
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseQuery } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { usesPasskeyScript } from '../../passkeys/routes/views.tsx';
import { securityPage } from './views.tsx';

const query = z.object({ done: z.string().max(40).optional().catch(undefined) });

export async function renderSecurity(ctx: AppContext, extra: { done?: string; error?: string; fields?: Record<string, string> } = {}, status = 200): Promise<void> {
  const { account, session } = ctx.state.portal!;
  const { security } = ctx.state.services;
  usesPasskeyScript(ctx);
  html(ctx, securityPage({
    account,
    csrf: ctx.state.csrfToken,
    status: (await security.status.securityStatus(account.id))!,
    devices: await security.sessions.listDevices(account.id, session.uid),
    apps: await security.sessions.appsWithTokens(account.id),
    trustedDevices: await security.twoFactor.countTrustedDevices(account.id),
    developerMode: await ctx.state.services.apiKeys.isDeveloperMode(account.id),
    passkeys: await ctx.state.services.passkeys.list(account.id),
    ...extra,
  }), status);
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/my/security', noStore, requireAccount(deps), async function showSecurity(ctx) {
    await renderSecurity(ctx, { done: parseQuery(ctx, query).done });
  });
}
