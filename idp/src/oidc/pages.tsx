/** Pages that oidc-provider renders itself (errors, logout), in our layout. */
import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { Layout, Notice, renderPage } from '../ui/render.tsx';
import { setHtml } from '../http/security-headers.ts';
import { dependencyUnavailable, isDependencyFailure } from '../errors.ts';

const friendly: Record<string, string> = {
  invalid_request: 'The application that sent you here made an invalid request.',
  invalid_client: 'The application that sent you here is not registered.',
  invalid_redirect_uri: 'The application that sent you here used an address that is not registered for it.',
  access_denied: 'Access was denied.',
  login_required: 'You need to sign in.',
  server_error: 'Something went wrong on our side. Try again in a moment.',
};

export function renderOidcError(ctx: KoaContextWithOIDC, out: ErrorOut, error?: unknown): void {
  // The store or Redis did not answer: say "later", with 503 (Retry-After is set in dependency-failures.ts).
  const unavailable = isDependencyFailure(error);
  const message = unavailable ? dependencyUnavailable().message : friendly[out.error] ?? 'The sign-in request could not be completed.';
  const details = unavailable ? undefined : out.error_description;
  setHtml(ctx, renderPage(
    <Layout title="Sign-in problem">
      <h1>Sign-in problem</h1>
      <Notice kind="error">{message}</Notice>
      {details && <p class="muted">Details: {details}</p>}
      <p class="muted">Error code: <code>{unavailable ? 'temporarily_unavailable' : out.error}</code></p>
      <p><a href="/my/account">Go to your account</a></p>
    </Layout>,
  ), unavailable ? 503 : Math.max(ctx.status, 400));
}

export function renderLogoutConfirm(ctx: KoaContextWithOIDC, form: string): void {
  // `form` is the provider's hidden form (with its own xsrf token); our buttons submit it.
  setHtml(ctx, renderPage(
    <Layout title="Log out">
      <h1>Log out?</h1>
      <section>
        <div dangerouslySetInnerHTML={{ __html: form }} />
        <p>You will be signed out of your account on this device{ctx.oidc.client ? ` and of ${ctx.oidc.client.clientName ?? ctx.oidc.client.clientId}` : ''}.</p>
        <div class="actions">
          <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Log out</button>
          <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
        </div>
      </section>
    </Layout>,
  ));
}

export function renderLogoutSuccess(ctx: KoaContextWithOIDC): void {
  setHtml(ctx, renderPage(
    <Layout title="Signed out">
      <h1>You are signed out</h1>
      <p><a class="button" href="/my/account">Sign in again</a></p>
    </Layout>,
  ));
}

/**
 * A path neither we nor oidc-provider serve, asked for by a browser (Accept names text/html): our
 * "Page not found" page instead of Koa's bare "Not Found" text (no language, no title, no way back).
 * API clients and oidc-provider's own JSON errors keep their answers.
 */
export function renderNotFound(ctx: KoaContextWithOIDC): void {
  setHtml(ctx, renderPage(
    <Layout title="Page not found">
      <h1>Page not found</h1>
      <Notice kind="error">This page does not exist.</Notice>
      <p><a href="/my/account">Go to your account</a></p>
    </Layout>,
  ), 404);
}
