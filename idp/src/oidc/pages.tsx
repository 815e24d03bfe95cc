/**
 * Pages that oidc-provider renders itself (errors, logout), in our layout. They run in oidc-provider's
 * own Koa context, outside our routes, so their language is negotiated here (`oidcLanguage`) from the
 * same sources: the signed-in account, the `lang` cookie, Accept-Language.
 */
import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { LANGUAGE_COOKIE, negotiateLocale } from '../i18n/negotiate.ts';
import { msg, translator, type Locale, type PlainKey, type Translate } from '../i18n/translator.ts';
import { Layout, Notice, renderPage } from '../ui/render.tsx';
import { setHtml } from '../http/security-headers.ts';
import { dependencyUnavailable, isDependencyFailure } from '../errors.ts';

/** The language of a page oidc-provider renders; `account` is the signed-in account's locale when known. */
export function oidcLanguage(ctx: KoaContextWithOIDC, offered: readonly Locale[], account?: string): Translate {
  return translator(negotiateLocale({ account, cookie: ctx.cookies.get(LANGUAGE_COOKIE), acceptLanguage: ctx.get('Accept-Language'), offered }));
}

const friendly: Record<string, PlainKey> = {
  invalid_request: msg('The application that sent you here made an invalid request.'),
  invalid_client: msg('The application that sent you here is not registered.'),
  invalid_redirect_uri: msg('The application that sent you here used an address that is not registered for it.'),
  access_denied: msg('Access was denied.'),
  login_required: msg('You need to sign in.'),
  server_error: msg('Something went wrong on our side. Try again in a moment.'),
};

export function renderOidcError(ctx: KoaContextWithOIDC, t: Translate, out: ErrorOut, error?: unknown): void {
  // The store or Redis did not answer: say "later", with 503 (Retry-After is set in dependency-failures.ts).
  const unavailable = isDependencyFailure(error);
  const known = friendly[out.error];
  const message = unavailable ? dependencyUnavailable().localized(t).message : known ? t(known) : t('The sign-in request could not be completed.');
  const details = unavailable ? undefined : out.error_description;
  setHtml(ctx, renderPage(
    <Layout t={t} title={t('Sign-in problem')}>
      <h1>{t('Sign-in problem')}</h1>
      <Notice kind="error">{message}</Notice>
      {details && <p class="muted">{t('Details: {{details}}', { details })}</p>}
      <p class="muted">{t('Error code:')} <code>{unavailable ? 'temporarily_unavailable' : out.error}</code></p>
      <p><a href="/my/account">{t('Go to your account')}</a></p>
    </Layout>,
  ), unavailable ? 503 : Math.max(ctx.status, 400));
}

export function renderLogoutConfirm(ctx: KoaContextWithOIDC, t: Translate, form: string): void {
  // `form` is the provider's hidden form (with its own xsrf token); our buttons submit it.
  const client = ctx.oidc.client ? ctx.oidc.client.clientName ?? ctx.oidc.client.clientId : undefined;
  setHtml(ctx, renderPage(
    <Layout t={t} title={t('Log out')}>
      <h1>{t('Log out?')}</h1>
      <section>
        <div dangerouslySetInnerHTML={{ __html: form }} />
        <p>{client
          ? t('You will be signed out of your account on this device and of {{client}}.', { client })
          : t('You will be signed out of your account on this device.')}</p>
        <div class="actions">
          <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>{t('Log out')}</button>
          <button type="submit" form="op.logoutForm" class="secondary">{t('Stay signed in')}</button>
        </div>
      </section>
    </Layout>,
  ));
}

export function renderLogoutSuccess(ctx: KoaContextWithOIDC, t: Translate): void {
  setHtml(ctx, renderPage(
    <Layout t={t} title={t('Signed out')}>
      <h1>{t('You are signed out')}</h1>
      <p><a class="button" href="/my/account">{t('Sign in again')}</a></p>
    </Layout>,
  ));
}

/**
 * A path neither we nor oidc-provider serve, asked for by a browser (Accept names text/html): our
 * "Page not found" page instead of Koa's bare "Not Found" text (no language, no title, no way back).
 * API clients and oidc-provider's own JSON errors keep their answers.
 */
export function renderNotFound(ctx: KoaContextWithOIDC, t: Translate): void {
  setHtml(ctx, renderPage(
    <Layout t={t} title={t('Page not found')}>
      <h1>{t('Page not found')}</h1>
      <Notice kind="error">{t('This page does not exist.')}</Notice>
      <p><a href="/my/account">{t('Go to your account')}</a></p>
    </Layout>,
  ), 404);
}
