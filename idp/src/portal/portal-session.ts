/**
 * The portal's notion of "signed in" is the IdP's own session (oidc-provider's session cookie), so
 * signing in anywhere signs in here, and ending a session ends it here too. The `signedIn` guard loads
 * the account (into `ctx.state.portal`, and its locale into the request's language) or sends the browser
 * to sign in. A session past its absolute lifetime (security/session-lifetime.ts) is signed out here even
 * while it is still stored.
 */
import type Provider from 'oidc-provider';
import { confirmFirst } from '../accounts/account-service.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import type { AppContext, RouteDeps } from '../http/context.ts';
import { useAccountLanguage } from '../http/language.ts';
import { defineGuard, type Guard } from '../http/route.ts';
import { isPastSessionLifetime } from '../security/session-lifetime.ts';

export interface PortalSession {
  account: Account;
  session: InstanceType<Provider['Session']>;
}

export async function currentSession(ctx: AppContext, deps: RouteDeps): Promise<PortalSession | undefined> {
  const provider = deps.providers.get();
  const session = await provider.Session.get(ctx as never);
  if (!session.accountId || isPastSessionLifetime(session.loginTs)) return undefined;
  const account = await ctx.state.services.accounts.findById(session.accountId);
  if (!account) return undefined;
  return { account, session };
}

/**
 * Until its email is confirmed an account may only confirm it (resend the link, change the address)
 * or delete itself: anyone can sign up with someone else's address, and nothing such an account sets
 * up (keys, databases, second factors, memberships) may be waiting for the real owner (issue 13).
 * Implied by `signedIn`; a route goes without it only by naming `unconfirmedAllowed(why)`.
 */
export const confirmedEmail = defineGuard('confirmed-email', async (ctx) => {
  const { account } = portalOf(ctx);
  if (!account.emailVerifiedAt) throw confirmFirst(account.email);
  return true;
});

/** The named exemption from `confirmedEmail`, for the routes an unconfirmed account needs (the allow-list). */
export function unconfirmedAllowed(why: string): Guard {
  if (why.length < 10) throw new Error('unconfirmedAllowed: say why this route is open to an unconfirmed account');
  return defineGuard('unconfirmed-allowed', async () => true, 'access', { exempts: ['confirmed-email'] });
}

/**
 * A portal account is signed in: GET and HEAD go to sign in and come back, other methods get a 401.
 * Brings `confirmedEmail` with it unless the route names `unconfirmedAllowed`.
 */
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
  useAccountLanguage(ctx, current.account.locale);
  await ctx.state.services.security.sessions.recordActivity({ uid: current.session.uid, accountId: current.account.id, userAgent: ctx.get('user-agent'), ip: ctx.ip });
  return true;
}, 'access', { implies: [confirmedEmail] });

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
