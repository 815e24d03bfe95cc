/** GET /my/security: Connection & Security. */
import { doneQuery } from '../../fields.ts';
import type { AppContext } from '../../http/context.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { usesPasskeyScript } from '../../passkeys/routes/views.tsx';
import { securityPage } from './views.tsx';

export async function renderSecurity(ctx: AppContext, extra: { done?: string; error?: string; fields?: Record<string, string>; passkeyRename?: { id: string; message: string } } = {}, status = 200): Promise<void> {
  const { account, session } = portalOf(ctx);
  const { security } = ctx.state.services;
  usesPasskeyScript(ctx);
  html(ctx, securityPage({
    t: ctx.state.t,
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

export const showSecurity = defineRoute('GET /my/security', { guards: [signedIn], input: { query: doneQuery } }, async (ctx, { query }) => {
  await renderSecurity(ctx, { done: query.done });
});
