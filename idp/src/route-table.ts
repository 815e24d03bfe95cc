/**
 * Every route of ours, in one list (in the spirit of node-oidc-provider's `initialize_app.js`). Each
 * entry is a declaration (http/route.ts) that carries its method, path, guards and input schemas;
 * `describeRoute` prints one as "METHOD path  guards" and route-table.test.ts holds that listing for
 * every route. Whatever no entry matches belongs to oidc-provider (discovery, /auth, /token, /jwks,
 * /session/end, ...). Order matters only between paths of the same shape: the first match wins.
 */
import { defineRoute, type Route } from './http/route.ts';
import { staticAsset } from './http/static-asset.ts';
import { chooseLanguage } from './http/language.ts';
import { DEPENDENCY_RETRY_AFTER_SECONDS } from './errors.ts';
import { showInteraction } from './oidc/interactions/show.ts';
import { submitLogin } from './oidc/interactions/login.ts';
import { submitSecondFactor } from './oidc/interactions/second-factor.ts';
import { abortInteraction, confirmConsent } from './oidc/interactions/consent.ts';
import { refuseDatabaseAccess } from './databases/routes/no-access-interaction.tsx';
import { finishPortalLogin, startPortalLogin } from './accounts/routes/portal-login.ts';
import { showSignup, submitSignup } from './accounts/routes/signup.tsx';
import { showVerifyEmail, submitVerifyEmail } from './accounts/routes/verify-email.tsx';
import { showAccount } from './accounts/routes/account-show.tsx';
import { saveDetails } from './accounts/routes/account-details.tsx';
import { requestEmailChange } from './accounts/routes/email-change.tsx';
import { confirmEmailChange, showConfirmEmailChange } from './accounts/routes/email-confirm.tsx';
import { resendConfirmation } from './accounts/routes/email-resend.tsx';
import { showSecurity } from './security/routes/security-show.tsx';
import { changePassword } from './security/routes/password-change.tsx';
import { startTwoFactor } from './security/routes/two-factor-start.tsx';
import { confirmTwoFactor } from './security/routes/two-factor-confirm.tsx';
import { disableTwoFactor } from './security/routes/two-factor-disable.tsx';
import { regenerateRecoveryCodes } from './security/routes/recovery-codes.tsx';
import { forgetTrustedDevices } from './security/routes/forget-devices.tsx';
import { logoutOtherDevices } from './security/routes/logout-others.tsx';
import { signOutDevice } from './security/routes/device-logout.tsx';
import { deleteAccount, showDeleteAccount } from './security/routes/account-delete.tsx';
import { showForgot, submitForgot } from './security/routes/password-forgot.tsx';
import { showReset, submitReset } from './security/routes/password-reset.tsx';
import { createDatabase, showDatabases } from './databases/routes/databases-page.tsx';
import * as databasePage from './databases/routes/database-page.tsx';
import { acceptInvitation, declineInvitation, showInvitation } from './databases/routes/invitations.tsx';
import * as databaseApi from './databases/routes/database-api.ts';
import * as apiKeysPage from './apikeys/routes/api-keys-page.tsx';
import { accountApiRoutes } from './account-api/routes/account-api-routes.ts';
import { passkeyPortalRoutes, passkeySignInRoutes } from './passkeys/routes/index.ts';
import { activityApiRoutes, activityPortalRoutes } from './activity/routes/index.ts';

const portalCss = staticAsset('portal.css', 'text/css');

const home = defineRoute('GET /', async (ctx) => {
  ctx.redirect('/my/account');
});

/** Liveness: the process answers. It touches no dependency, so a database outage does not restart instances. */
const health = defineRoute('GET /healthz', async (ctx) => {
  ctx.body = { ok: true };
});

/** How long readiness waits for each dependency before calling it down. */
const READY_WAIT_MS = 2000;

async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_WAIT_MS)));
  try {
    return await Promise.race([probe().then(() => true, () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness, for load balancers: 503 (with Retry-After) while the store or, when configured, Redis does
 * not answer, so the instance is taken out until they do; and 503 with the reason `starting` until the
 * instance is fully up, `draining` from SIGTERM on (http/graceful-server.ts). The dependencies are
 * checked whatever the phase, so the body always says how they are.
 */
const readiness = defineRoute('GET /readyz', async (ctx) => {
  const { db, shortLived, phase } = ctx.state.services;
  const [store, redis] = await Promise.all([
    answers(() => db.get('SELECT 1 AS one')),
    shortLived ? answers(() => shortLived.redis.ping()) : Promise.resolve(undefined),
  ]);
  const now = phase();
  const reason = now === 'starting' || now === 'draining' ? now : undefined;
  const ready = store && redis !== false && reason === undefined;
  if (!ready) ctx.set('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
  ctx.status = ready ? 200 : 503;
  ctx.body = { ok: ready, ...(reason ? { reason } : {}), store: store ? 'up' : 'down', redis: redis === undefined ? 'not configured' : redis ? 'up' : 'down' };
});

export const routeTable: readonly Route[] = [
  // Sign-in interactions (oidc-provider prompts).
  showInteraction, submitLogin, submitSecondFactor, confirmConsent, abortInteraction, refuseDatabaseAccess,
  ...passkeySignInRoutes,
  // Accounts: portal sign-in, sign-up, email confirmation, Account Information.
  startPortalLogin, finishPortalLogin, showSignup, submitSignup, showVerifyEmail, submitVerifyEmail,
  showAccount, saveDetails, requestEmailChange, resendConfirmation, showConfirmEmailChange, confirmEmailChange,
  // Connection & Security, password forgot/reset.
  showSecurity, changePassword, startTwoFactor, confirmTwoFactor, disableTwoFactor, regenerateRecoveryCodes,
  forgetTrustedDevices, logoutOtherDevices, signOutDevice, showDeleteAccount, deleteAccount,
  showForgot, submitForgot, showReset, submitReset,
  // Passkeys (Connection & Security; their sign-in routes are with the interactions above).
  ...passkeyPortalRoutes,
  // Security activity, lockdown, trusted devices, connected apps, data export (activity/).
  ...activityPortalRoutes,
  // Databases: manager pages, invitations, the database API.
  showDatabases, createDatabase,
  databasePage.showDatabase, databasePage.inviteMember, databasePage.removeMember, databasePage.transferOwnership,
  databasePage.regenerateSecret, databasePage.saveAdvancedSettings, databasePage.deleteDatabase, databasePage.leaveDatabase,
  showInvitation, acceptInvitation, declineInvitation,
  databaseApi.listMembers, databaseApi.inviteMember, databaseApi.removeMember,
  // API keys (developer pages).
  apiKeysPage.apiKeyCopyScript, apiKeysPage.showApiKeys, apiKeysPage.createApiKey, apiKeysPage.rotateApiKey,
  apiKeysPage.revokeApiKey, apiKeysPage.enableDeveloperMode, apiKeysPage.confirmDeveloperModeOff, apiKeysPage.disableDeveloperMode,
  // The account API (/api/v1).
  ...accountApiRoutes, ...activityApiRoutes,
  // The language switcher of signed-out pages; static asset, home, liveness and readiness checks.
  chooseLanguage, portalCss, home, health, readiness,
];

/** "POST /my/security/password  signed-in recent-sign-in | csrf:token no-store": what the table test lists. */
export function describeRoute(route: Route): string {
  const csrf = route.csrf.kind === 'token' ? 'csrf:token' : `csrf:${route.csrf.kind}`;
  const cache = route.cache.kind === 'no-store' ? 'no-store' : `public:${route.cache.maxAgeSeconds}`;
  return `${route.method} ${route.path}  ${[...route.guards.map((g) => g.name), '|', csrf, cache].join(' ')}`;
}
