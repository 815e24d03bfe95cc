/** Pages of a signed-in user: home, Settings (database password) and My Preferences. */
import { Router } from '@koa/router';
import { AppError } from '../errors.ts';
import { parseInput, requireCsrf, requireUser, type AppContext, type AppState, type HttpDeps } from '../http.tsx';
import { HomePage, PreferencesPage, renderPage, SettingsPage } from '../pages.tsx';
import { noticeMessages, preferencesForm, setPasswordForm, settingsQuery } from './schemas.ts';

export function accountRoutes(deps: HttpDeps) {
  const router = new Router<AppState>();

  function html(ctx: AppContext, body: string, status = 200) {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  }

  function renderSettings(ctx: AppContext, extra: { notice?: string | null; error?: string | null }, status = 200) {
    const user = ctx.state.user!;
    html(
      ctx,
      renderPage(
        <SettingsPage
          dbName={deps.dbName}
          csrfToken={ctx.state.session!.csrf_token}
          user={user}
          hasDatabasePassword={deps.service.hasDatabasePassword(user)}
          {...extra}
        />,
      ),
      status,
    );
  }

  function renderPreferences(ctx: AppContext, extra: { notice?: string | null; email?: string; error?: string }, status = 200) {
    html(
      ctx,
      renderPage(<PreferencesPage dbName={deps.dbName} csrfToken={ctx.state.session!.csrf_token} user={ctx.state.user!} {...extra} />),
      status,
    );
  }

  router.get('/', async function home(ctx: AppContext) {
    if (!ctx.state.user) {
      ctx.redirect('/login');
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    const user = ctx.state.user;
    const session = ctx.state.session!;
    html(
      ctx,
      renderPage(
        <HomePage
          dbName={deps.dbName}
          csrfToken={session.csrf_token}
          user={user}
          hasDatabasePassword={deps.service.hasDatabasePassword(user)}
          signedInWith={session.auth_method === 'password' ? 'database password' : 'your account'}
        />,
      ),
    );
  });

  router.get('/settings', requireUser(), async function showSettings(ctx: AppContext) {
    const query = parseInput(settingsQuery, ctx.query);
    renderSettings(ctx, { notice: query.notice ? noticeMessages[query.notice] : null });
  });

  router.post('/settings/password', requireUser(), requireCsrf(deps), async function setPassword(ctx: AppContext) {
    try {
      const form = parseInput(setPasswordForm, ctx.request.body);
      await deps.service.setDatabasePassword(ctx.state.user!, form.password);
    } catch (error) {
      if (error instanceof AppError && error.status === 400) return renderSettings(ctx, { error: error.message }, 400);
      throw error;
    }
    ctx.redirect('/settings?notice=password-set');
    ctx.status = 303;
  });

  router.post('/settings/password/clear', requireUser(), requireCsrf(deps), async function clearPassword(ctx: AppContext) {
    deps.service.clearDatabasePassword(ctx.state.user!);
    ctx.redirect('/settings?notice=password-cleared');
    ctx.status = 303;
  });

  router.get('/preferences', requireUser(), async function showPreferences(ctx: AppContext) {
    const query = parseInput(settingsQuery, ctx.query);
    renderPreferences(ctx, { notice: query.notice ? noticeMessages[query.notice] : null });
  });

  router.post('/preferences', requireUser(), requireCsrf(deps), async function savePreferences(ctx: AppContext) {
    const result = preferencesForm.safeParse(ctx.request.body ?? {});
    if (!result.success) {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
      renderPreferences(ctx, { email, error: result.error.issues[0]!.message }, 400);
      return;
    }
    deps.service.updatePreferencesEmail(ctx.state.user!, result.data.email);
    ctx.redirect('/preferences?notice=preferences-saved');
    ctx.status = 303;
  });

  return router;
}
