/** Passkeys: one file per route, registered together (app.ts lists this module once). */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import * as script from './static-script.ts';
import * as registrationOptions from './registration-options.ts';
import * as add from './passkey-add.tsx';
import * as rename from './passkey-rename.ts';
import * as remove from './passkey-delete.ts';
import * as reauthOptions from './reauth-options.ts';
import * as signInOptions from './sign-in-options.ts';
import * as signIn from './sign-in.ts';

export function register(router: AppRouter, deps: RouteDeps): void {
  // The fixed paths (options, reauth-options) before the :id ones.
  for (const route of [script, registrationOptions, reauthOptions, add, rename, remove, signInOptions, signIn]) route.register(router, deps);
}
