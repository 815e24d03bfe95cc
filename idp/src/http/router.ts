/** Shared types for route modules: each page/route file exports `register(router, deps)`. */
import Router from '@koa/router';
import type { AppState } from './context.ts';
import type { ProviderHolder } from '../oidc/provider.ts';

export type AppRouter = Router<AppState>;

export interface RouteDeps {
  providers: ProviderHolder;
  issuer: string;
  secure: boolean;
}

export function createRouter(): AppRouter {
  return new Router<AppState>();
}

export { setHtml as html } from './security-headers.ts';
