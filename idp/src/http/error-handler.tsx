/**
 * The single error boundary of our routes: AppError becomes its status with a message for people, as
 * JSON for API and JSON requests, as a page otherwise. A 4xx on a route that declares `rerender` draws
 * that route's page again with the message (the one form-error path; see route.ts). Anything else is
 * logged and shown as a generic 500 without internals: a message not marked `expose` never reaches a
 * person. Bad bodies rejected by the body parser become clear 4xx answers.
 *
 * Everything a person reads is in the request's language (`ctx.state.t`): the error is `localized` before
 * a rerender or the page sees it, while logs keep the English `.message` of the original error.
 */
import { AppError, dependencyUnavailable, isAppError, isDependencyFailure } from '../errors.ts';
import { msg, translator, type Translate } from '../i18n/translator.ts';
import { log } from '../log.ts';
import { Layout, Notice, renderPage } from '../ui/render.tsx';
import type { AppContext, AppMiddleware } from './context.ts';
import { setHtml } from './security-headers.ts';

const GENERIC = msg('Something went wrong on our side. Try again in a moment.');

function wantsJson(ctx: AppContext): boolean {
  return ctx.path.startsWith('/api/') || (ctx.accepts('html', 'json') === 'json');
}

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  // PostgreSQL, Redis or SQLite's lock did not answer: 503 + Retry-After, "try again", not a 500.
  if (isDependencyFailure(error)) return dependencyUnavailable(error);
  const e = error as { status?: number; expose?: boolean; message?: string; type?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.status === 413) return new AppError('bad_request', msg('The request is too large.'));
    if (e.status === 415) return new AppError('bad_request', msg('Send the form as application/x-www-form-urlencoded or JSON.'));
    return new AppError('bad_request', e.expose && e.message ? e.message : msg('The request could not be read.'));
  }
  return new AppError('server_error', GENERIC, { cause: error });
}

function setErrorHeaders(ctx: AppContext, error: AppError): void {
  for (const [k, v] of Object.entries(error.headers ?? {})) ctx.set(k, v);
}

/** The request's language; English before the edge decided it (app.ts does so first thing). */
function languageOf(ctx: AppContext): Translate {
  return ctx.state.t ?? translator('en');
}

export function errorPage(ctx: AppContext, original: AppError): void {
  const t = languageOf(ctx);
  const error = original.localized(t);
  ctx.status = error.status;
  setErrorHeaders(ctx, error);
  // dependency_unavailable is a 5xx whose message is written for people and names no internals.
  const message = error.expose || error.code === 'dependency_unavailable' ? error.message : t(GENERIC);
  if (wantsJson(ctx)) {
    ctx.body = { error: error.code, message, ...(error.fields && error.expose ? { fields: error.fields } : {}) };
    return;
  }
  const title = error.status === 404 ? t('Page not found') : error.status === 503 ? t('Temporarily unavailable') : error.status >= 500 ? t('Something went wrong') : t('That did not work');
  setHtml(ctx, renderPage(
    <Layout t={t} title={title}>
      <h1>{title}</h1>
      <Notice kind="error">{message}</Notice>
      <p><a href="/my/account">{t('Go to your account')}</a></p>
    </Layout>,
  ), error.status);
}

function report(ctx: AppContext, error: unknown, appError: AppError): void {
  if (appError.code === 'dependency_unavailable') {
    // Expected while a dependency is down: one line, no stack.
    const cause = (appError.cause ?? error) as Error | undefined;
    log.warn(`${ctx.method} ${ctx.path}: 503, a dependency did not answer: ${cause?.message ?? String(cause)}`);
  } else if (appError.status >= 500) {
    // The stack goes in `err`; the line's reqId and route say which request (log.ts).
    log.error(`${ctx.method} ${ctx.path} failed`, { err: error });
  }
}

export const errorHandler: AppMiddleware = async function errorHandler(ctx, next) {
  try {
    await next();
  } catch (thrown) {
    let error = thrown;
    let appError = toAppError(error);
    const { rerender } = ctx.state;
    ctx.state.rerender = undefined;
    if (rerender && isAppError(error) && appError.status < 500) {
      const localized = appError.localized(languageOf(ctx));
      try {
        setErrorHeaders(ctx, appError);
        await rerender(localized);
        // The page answers with the error's status, unless the rerender chose another one itself.
        if (ctx.status === 200) ctx.status = appError.status;
        return;
      } catch (again) {
        if (again !== error && again !== localized) {
          error = again;
          appError = toAppError(again);
        }
      }
    }
    report(ctx, error, appError);
    errorPage(ctx, appError);
  }
};
