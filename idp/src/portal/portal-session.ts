/**
 * The portal's notion of "signed in" is the IdP's own session (oidc-provider's session cookie), so
 * signing in anywhere signs in here, and ending a session ends it here too. The `signedIn` guard loads
 * the account (into `ctx.state.portal`) or sends the browser to sign in.
 */
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import type { AppContext, RouteDeps } from '../http/context.ts';
import { defineGuard } from '../http/route.ts';

export interface PortalSession {
  account: Account;
  session: InstanceType<Provider['Session']>;
}

export async function currentSession(ctx: AppContext, deps: RouteDeps): Promise<PortalSession | undefined> {
  const provider = deps.providers.get();
  const session = await provider.Session.get(ctx as never);
  if (!session.accountId) return undefined;
  const account = await ctx.state.services.accounts.findById(session.accountId);
  if (!account) return undefined;
  return { account, session };
}

/** A portal account is signed in: GET and HEAD go to sign in and come back, other methods get a 401. */
export const signedIn = defineGuard('signed-in', async (ctx, deps) => {
  const current = await currentSession(ctx, deps);
  if (!current) {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      ctx.redirect(`/my/login?return_to=${encodeURIComponent(ctx.originalUrl)}`);
      return false;
    }
    throw new AppError('unauthorized', 'You are signed out. Sign in again, then retry.');
  }
  ctx.state.portal = current;
  await ctx.state.services.security.sessions.recordActivity({ uid: current.session.uid, accountId: current.account.id, userAgent: ctx.get('user-agent'), ip: ctx.ip });
  return true;
});

/** The signed-in portal session; only valid behind the `signedIn` guard. */
export function portalOf(ctx: AppContext): PortalSession {
  if (!ctx.state.portal) throw new Error('route without the signed-in guard reads the portal session');
  return ctx.state.portal;
}

declare module '../http/context.ts' {
  interface AppState {
    portal?: PortalSession;
  }
}
