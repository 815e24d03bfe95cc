/** The typed Koa state every route sees; nothing is hung on `ctx` directly. */
import type Koa from 'koa';
import type { Services } from '../services.ts';

export interface AppState {
  services: Services;
  /** CSRF token to embed in forms rendered for this request. */
  csrfToken: string;
  /** Nonce-free CSP: our pages load no inline script. */
  nonce?: string;
  /** The page being rendered loads our own same-origin scripts (CSP script-src 'self'), e.g. passkeys. */
  ownScripts?: boolean;
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
