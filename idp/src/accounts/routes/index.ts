/** Account Information: one file per route, registered together. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import * as show from './account-show.tsx';
import * as details from './account-details.tsx';
import * as emailChange from './email-change.tsx';
import * as emailConfirm from './email-confirm.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  for (const page of [show, details, emailChange, emailConfirm]) page.register(router, deps);
}
