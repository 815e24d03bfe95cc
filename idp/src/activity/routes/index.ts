/** The activity feature's routes, listed in route-table.ts: portal pages first, then the account API ones. */
import { showActivity } from './activity-page.tsx';
import { listActivity } from './activity-api.ts';

export const activityPortalRoutes = [showActivity];
export const activityApiRoutes = [listActivity];
