/** Sign-in, the IdP callback, sign-out and the back-channel logout endpoint. */
import { Router } from '@koa/router';
import { AppError } from '../errors.ts';
import { ensureSession, parseInput, requireCsrf, setSessionCookie, type AppContext, type AppState, type HttpDeps } from '../http.tsx';
import { LoginPage, renderPage } from '../pages.tsx';
import { callbackQuery, loginQuery, logoutTokenForm, noticeMessages, passwordSignInForm, ssoForm } from './schemas.ts';

const LOGOUT_JTI_RETENTION_MS = 15 * 60 * 1000;

export function authRoutes(deps: HttpDeps) {
  const router = new Router<AppState>();

  /** Starts a code + PKCE sign-in at the IdP bound to this browser's session. */
  async function redirectToIdp(ctx: AppContext, returnTo: string, loginHint?: string) {
    const session = ensureSession(ctx, deps);
    const { url, state, nonce, codeVerifier } = await deps.idp.buildSignInUrl({ loginHint });
    deps.service.recordSignInFlow(session, { state, nonce, codeVerifier, returnTo });
    ctx.redirect(url.href);
    ctx.status = 303;
  }

  function renderLogin(ctx: AppContext, props: { returnTo: string; notice?: string | null; email?: string; error?: string }, status = 200) {
    const session = ensureSession(ctx, deps);
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderPage(<LoginPage dbName={deps.dbName} csrfToken={session.csrf_token} {...props} />);
  }

  router.get('/login', async function showLogin(ctx: AppContext) {
    const query = parseInput(loginQuery, ctx.query);
    if (ctx.state.user) {
      ctx.redirect(query.return_to);
      return;
    }
    renderLogin(ctx, { returnTo: query.return_to, notice: query.notice ? noticeMessages[query.notice] : null });
  });

  router.post('/login/sso', requireCsrf(deps), async function startSso(ctx: AppContext) {
    const form = parseInput(ssoForm, ctx.request.body);
    await redirectToIdp(ctx, form.return_to);
  });

  router.post('/login/password', requireCsrf(deps), async function signInWithPassword(ctx: AppContext) {
    const result = ssoForm.safeParse(ctx.request.body);
    let form: ReturnType<typeof parseInput<typeof passwordSignInForm>>;
    try {
      form = parseInput(passwordSignInForm, ctx.request.body);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      renderLogin(ctx, {
        returnTo: result.success ? result.data.return_to : '/',
        email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
        error: error.message,
      }, 400);
      return;
    }
    const signedIn = await deps.service.signInWithDatabasePassword(ctx.state.session, form.email, form.password);
    if (signedIn) {
      setSessionCookie(ctx, deps, signedIn.secret, signedIn.session.expires_at);
      ctx.redirect(form.return_to);
      ctx.status = 303;
      return;
    }
    // No database password, or a different one: the account password (typed only at the IdP) still
    // opens this user. Say nothing about which case it was.
    await redirectToIdp(ctx, form.return_to, form.email);
  });

  router.get('/callback', async function finishSignIn(ctx: AppContext) {
    ctx.set('Cache-Control', 'no-store');
    const query = parseInput(callbackQuery, ctx.query);
    const flow = deps.service.takeSignInFlow(ctx.state.session, query.state);
    if (query.error === 'access_denied') {
      throw new AppError(
        'access_denied',
        `Your account does not have access to ${deps.dbName}. Ask the database owner to invite you with your account's email address, or sign in with a different account.`,
      );
    }
    if (query.error) {
      const code = /^[a-z_]{1,64}$/.test(query.error) ? ` (${query.error})` : '';
      throw new AppError('sign_in_failed', `Sign-in did not complete${code}. Please try again.`);
    }
    const currentUrl = new URL(`/callback${ctx.search}`, deps.publicUrl);
    const identity = await deps.idp.completeSignIn(currentUrl, {
      state: flow.state,
      nonce: flow.nonce,
      codeVerifier: flow.code_verifier,
    });
    const signedIn = deps.service.signInWithIdp(ctx.state.session, identity);
    setSessionCookie(ctx, deps, signedIn.secret, signedIn.session.expires_at);
    ctx.redirect(flow.return_to);
  });

  router.post('/logout', requireCsrf(deps), async function signOut(ctx: AppContext) {
    const session = ctx.state.session!;
    deps.service.endSession(session);
    setSessionCookie(ctx, deps, null);
    let target = '/login?notice=signed-out';
    if (session.auth_method === 'sso') {
      try {
        const url = await deps.idp.endSessionUrl(session.id_token);
        if (url) target = url.href;
      } catch (error) {
        deps.log('could not build the IdP end-session URL; signed out locally only', error);
      }
    }
    ctx.redirect(target);
    ctx.status = 303;
  });

  router.post('/backchannel-logout', async function backchannelLogout(ctx: AppContext) {
    ctx.set('Cache-Control', 'no-store');
    const form = parseInput(logoutTokenForm, ctx.request.body);
    const token = await deps.idp.verifyLogoutToken(form.logout_token);
    if (!deps.service.acceptLogoutTokenOnce(token.jti, Math.max(Date.now(), token.iat * 1000) + LOGOUT_JTI_RETENTION_MS)) {
      throw new AppError('bad_request', 'The logout token is not valid: it was already used (replayed jti).');
    }
    const ended = deps.service.endSessionsFromIdp({ sid: token.sid, sub: token.sub });
    deps.log(`back-channel logout ended ${ended} session(s)`);
    ctx.status = 200;
    ctx.body = { ok: true };
  });

  return router;
}
