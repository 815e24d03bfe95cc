/** Connection & Security: one file per route, registered together. */
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import * as show from './security-show.tsx';
import * as password from './password-change.tsx';
import * as twoFactorStart from './two-factor-start.tsx';
import * as twoFactorConfirm from './two-factor-confirm.tsx';
import * as twoFactorDisable from './two-factor-disable.tsx';
import * as recoveryCodes from './recovery-codes.tsx';
import * as forgetDevices from './forget-devices.tsx';
import * as logoutOthers from './logout-others.tsx';
import * as deviceLogout from './device-logout.tsx';
import * as deleteAccount from './account-delete.tsx';

export function register(router: AppRouter, deps: RouteDeps): void {
  // logout-others before the :id route so its path is not read as a device id.
  for (const page of [show, password, twoFactorStart, twoFactorConfirm, twoFactorDisable, recoveryCodes, forgetDevices, logoutOthers, deviceLogout, deleteAccount]) {
    page.register(router, deps);
  }
}
