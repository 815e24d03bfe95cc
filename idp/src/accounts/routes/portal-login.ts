/**
 * /my/login and /my/callback: the portal signs in like any application, through an authorization
 * request of its first-party client, so every sign-in goes through the same pages and checks. The
 * session cookie the IdP sets is what the portal uses; the callback only checks `state` and returns.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { returnToField } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { AppError } from '../../errors.ts';
import { msg } from '../../i18n/translator.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/provider.ts';
import { safeEqual } from '../../security/tokens.ts';
import { currentSession } from '../../portal/portal-session.ts';

const loginQuery = z.object({
  return_to: returnToField,
  email: z.string({ error: msg('That email address is not valid.') }).max(254, msg('That email address is too long.')).optional(),
});
const stale = msg('This sign-in link is stale. Sign in again.');
const callbackQuery = z.object({
  state: z.string({ error: stale }).max(200, stale).optional(),
  code: z.string({ error: stale }).max(500, stale).optional(),
  error: z.string({ error: stale }).max(100, stale).optional(),
  error_description: z.string({ error: stale }).max(500, stale).optional(),
});

const cookieName = 'lk_portal_login';

export const startPortalLogin = defineRoute('GET /my/login', { input: { query: loginQuery } }, async (ctx, { query }, deps) => {
  const { return_to: returnTo, email } = query;
  if (await currentSession(ctx, deps)) {
    ctx.redirect(returnTo ?? '/my/account');
    return;
  }
  const state = crypto.randomBytes(16).toString('base64url');
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  ctx.cookies.set(cookieName, JSON.stringify({ state, returnTo: returnTo ?? '/my/account' }), {
    httpOnly: true, sameSite: 'lax', secure: deps.secure, maxAge: 30 * 60 * 1000, path: '/my/callback', signed: true,
  });
  const url = new URL(`${deps.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: PORTAL_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${deps.issuer}/my/callback`,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(email ? { login_hint: email } : {}),
  }).toString();
  ctx.redirect(url.toString());
});

export const finishPortalLogin = defineRoute('GET /my/callback', { input: { query: callbackQuery } }, async (ctx, { query }, deps) => {
  const raw = ctx.cookies.get(cookieName, { signed: true });
  ctx.cookies.set(cookieName, null, { path: '/my/callback' });
  let saved: { state: string; returnTo: string } | undefined;
  try {
    saved = raw ? (JSON.parse(raw) as { state: string; returnTo: string }) : undefined;
  } catch {
    saved = undefined;
  }
  if (query.error) {
    ctx.redirect('/');
    return;
  }
  if (!saved || !query.state || !safeEqual(saved.state, query.state)) {
    throw new AppError('bad_request', 'This sign-in link is stale. Sign in again.');
  }
  if (!(await currentSession(ctx, deps))) throw new AppError('unauthorized', 'The sign-in did not complete. Sign in again.');
  ctx.redirect(returnToField.parse(saved.returnTo) ?? '/my/account');
});
