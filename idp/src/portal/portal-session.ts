/**
 * The portal's notion of "signed in" is the IdP's own session (oidc-provider's session cookie), so
 * signing in anywhere signs in here, and ending a session ends it here too. `requireAccount` loads the
 * account or sends the browser to sign in.
 */
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import type { AppContext, AppMiddleware } from '../http/context.ts';
import type { RouteDeps } from '../http/router.ts';

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

export function requireAccount(deps: RouteDeps): AppMiddleware {
  return async function requireAccountMiddleware(ctx, next) {
    const current = await currentSession(ctx, deps);
    if (!current) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') {
        ctx.redirect(`/my/login?return_to=${encodeURIComponent(ctx.originalUrl)}`);
        return;
      }
      throw new AppError('unauthorized', 'You are signed out. Sign in again, then retry.');
    }
    ctx.state.portal = current;
    await ctx.state.services.security.sessions.recordActivity({ uid: current.session.uid, accountId: current.account.id, userAgent: ctx.get('user-agent'), ip: ctx.ip });
    await next();
  };
}

declare module '../http/context.ts' {
  interface AppState {
    portal?: PortalSession;
  }
}
