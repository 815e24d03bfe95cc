/**
 * The typed Koa state every route sees; nothing is hung on `ctx` directly. `http/` never imports a
 * feature: the service bag is the empty `AppServices` interface here, which the composition root
 * (app.ts) merges with the real `Services` type; features add their own state fields by augmenting
 * `AppState` the same way.
 */
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { AppError } from '../errors.ts';
import type { Locale, Translate } from '../i18n/translator.ts';

// Filled in by declaration merging in app.ts (`interface AppServices extends Services {}`).
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so app.ts can merge the service bag into it
export interface AppServices {}

export interface AppState {
  services: AppServices;
  /**
   * The request's language (http/language.ts): decided at the edge from the `lang` cookie and
   * Accept-Language, and again by the signed-in guard from the account's own locale. Pages translate
   * with it: `t('Sign in')`; `t.locale` is the language.
   */
  t: Translate;
  /** IDP_LOCALES: what the language switcher offers. */
  offeredLocales: readonly Locale[];
  /** CSRF token to embed in forms rendered for this request. */
  csrfToken: string;
  /** The matched path's params, decoded but not validated (handlers get the validated ones as input). */
  routeParams: Record<string, string>;
  /**
   * Set by the route runner once the access guards passed, for a route that declares `rerender`: the
   * error handler calls it for a 4xx instead of drawing the error page.
   */
  rerender?: (error: AppError) => Promise<void> | void;
  /** The page being rendered loads our own same-origin scripts (CSP script-src 'self'), e.g. passkeys. */
  ownScripts?: boolean;
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;

/** What routes may need from the server besides the services: the current oidc-provider, the issuer, https or not. */
export interface RouteDeps {
  providers: { get(): Provider };
  issuer: string;
  secure: boolean;
}
