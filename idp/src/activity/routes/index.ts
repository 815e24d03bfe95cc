/** The activity feature's routes, listed in route-table.ts: portal pages first, then the account API ones. */
import { showActivity } from './activity-page.tsx';
import { listActivity } from './activity-api.ts';
import { lockDownAccount, showLockdown } from './lockdown-page.tsx';
import { lockDownFromLink, showLockdownLink } from './lockdown-link.tsx';
import { lockDownFromApi } from './lockdown-api.ts';

export const activityPortalRoutes = [showActivity, showLockdown, lockDownAccount, showLockdownLink, lockDownFromLink];
export const activityApiRoutes = [listActivity, lockDownFromApi];
