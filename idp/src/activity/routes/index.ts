/** The activity feature's routes, listed in route-table.ts: portal pages first, then the account API ones. */
import { showActivity } from './activity-page.tsx';
import { listActivity } from './activity-api.ts';
import { lockDownAccount, showLockdown } from './lockdown-page.tsx';
import { lockDownFromLink, showLockdownLink } from './lockdown-link.tsx';
import { lockDownFromApi } from './lockdown-api.ts';
import { revokeTrustedDevice, showTrustedDevices } from './trusted-devices.tsx';
import { showConnectedApps, signOutOfApp } from './connected-apps.tsx';
import { downloadDataExport, showDataExport } from './data-export.tsx';

export const activityPortalRoutes = [
  showActivity, showLockdown, lockDownAccount, showLockdownLink, lockDownFromLink,
  showTrustedDevices, revokeTrustedDevice, showConnectedApps, signOutOfApp, showDataExport, downloadDataExport,
];
export const activityApiRoutes = [listActivity, lockDownFromApi];
