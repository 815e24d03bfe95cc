/**
 * What happens after the password of an interaction is right: either the sign-in completes, or (2FA on
 * and this browser not trusted) the account is remembered server-side for this interaction uid and the
 * code form is shown. Completing a sign-in records it, mails when the browser is new to the account,
 * and sets the sign-in time on our clock (the re-authentication window starts from it).
 */
import type Provider from 'oidc-provider';
import { AppError } from '../../errors.ts';
import type { Account } from '../../accounts/types.ts';
import type { AppContext } from '../../http/context.ts';
import { html } from '../../http/security-headers.ts';
import { signedOutPage } from '../../http/language.ts';
import { nowSeconds } from '../../clock.ts';
import { acrFor } from '../acr.ts';
import { metrics, type SignInOutcome } from '../../observability/metrics.ts';
import { randomToken, sha256 } from '../../security/tokens.ts';
import { clientNameOf, finishInteraction, type InteractionDetails } from './details.ts';
import { secondFactorView } from './second-factor-view.tsx';

export const DEVICE_COOKIE = 'lk_device';
export const TRUSTED_COOKIE = 'lk_trusted';

function cookieOptions(ctx: AppContext, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.protocol === 'https', path: '/', maxAge: maxAgeSeconds * 1000, signed: true, overwrite: true };
}

/** An account in lockdown (security/lockdown.ts) signs in again only after a password reset. */
async function refuseIfLockedDown(ctx: AppContext, account: Account): Promise<void> {
  if (!await ctx.state.services.security.lockdown.isLocked(account.id)) return;
  await ctx.state.services.audit.record({ accountId: account.id, actor: 'anonymous', event: 'signin.refused_locked' });
  throw new AppError('forbidden', 'This account was secured after a report that someone else used it. Choose a new password with the link we mailed you (or ask for a new one under "Forgot your password?"), then sign in.');
}

/**
 * The digest of this browser's device cookie (signed, httpOnly, set at every completed sign-in and
 * recorded as a known device of the account): what the sign-in limits recognise a returning device by.
 */
export function deviceCookieHash(ctx: AppContext): string | undefined {
  const device = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  return device && /^[A-Za-z0-9_-]{20,100}$/.test(device) ? sha256(device) : undefined;
}

/**
 * Counts a refused sign-in step for the metrics and rethrows it: a limit's 429 is `throttled`, wrong
 * credentials are `wrong` (a password or a code; not counted when undefined); anything else (a lockdown,
 * a store failure) is not a sign-in outcome.
 */
export async function countingSignInFailures<T>(wrong: SignInOutcome | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof AppError && error.code === 'too_many_requests') metrics.signIn('throttled');
    else if (wrong && error instanceof AppError && error.code === 'invalid_credentials') metrics.signIn(wrong);
    throw error;
  }
}

export async function afterPassword(ctx: AppContext, provider: Provider, details: InteractionDetails, account: Account): Promise<void> {
  await refuseIfLockedDown(ctx, account);
  const { twoFactor } = ctx.state.services.security;
  if (await twoFactor.isEnabled(account.id) && !await twoFactor.isTrustedDevice(account.id, ctx.cookies.get(TRUSTED_COOKIE, { signed: true }))) {
    await twoFactor.setPending(details.uid, account.id);
    metrics.signIn('second_factor_required');
    const client = await clientNameOf(provider, details.params.client_id);
    html(ctx, secondFactorView({ ...signedOutPage(ctx), uid: details.uid, clientName: client.name }));
    return;
  }
  await completeSignIn(ctx, provider, account, ['pwd']);
}

export async function completeSignIn(ctx: AppContext, provider: Provider, account: Account, amr: string[]): Promise<void> {
  await refuseIfLockedDown(ctx, account);
  const { security, audit } = ctx.state.services;
  const userAgent = ctx.get('user-agent');
  let device = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  if (!device || !/^[A-Za-z0-9_-]{20,100}$/.test(device)) {
    device = randomToken(24);
  }
  ctx.cookies.set(DEVICE_COOKIE, device, cookieOptions(ctx, 400 * 24 * 3600));
  const hash = sha256(device);
  // The very first sign-in of an account is not news to its owner; any later unknown browser is.
  if (!await security.sessions.isKnownDevice(account.id, hash)) {
    const firstEver = await security.sessions.countKnownDevices(account.id) === 0;
    await security.sessions.addKnownDevice(account.id, hash);
    if (!firstEver) await security.notifier.newDeviceSignIn(account, { ip: ctx.ip, userAgent }, await security.lockdown.issueMailLink(account.id));
  }
  await audit.record({ accountId: account.id, actor: account.id, event: 'signin.succeeded', ip: ctx.ip, data: { amr } });
  await finishInteraction(ctx, provider, { login: { accountId: account.id, amr, acr: acrFor(amr), ts: nowSeconds() } }, false);
  metrics.signIn(amr.includes('pwd') ? 'success' : 'passkey');
}

export async function rememberDevice(ctx: AppContext, accountId: string): Promise<void> {
  const { token, maxAgeSeconds } = await ctx.state.services.security.twoFactor.trustDevice(accountId, ctx.get('user-agent'), ctx.ip);
  ctx.cookies.set(TRUSTED_COOKIE, token, cookieOptions(ctx, maxAgeSeconds));
}
