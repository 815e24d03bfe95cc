/**
 * Calls the account API (`shared/account-api.ts`) with a DPoP-bound access token.
 *
 * Retry rules, each at most once per call:
 * - 401 `invalid_token`: the access token was revoked or expired early; refresh and retry.
 * - 401 `insufficient_user_authentication` (RFC 9470): sign in again interactively with the
 *   challenge's `max_age`, then retry. A second challenge is an error, never a loop.
 */
import {
  ACCOUNT_API_PREFIX,
  accountApiRoutes,
  type ActivityPage,
  type ApiError,
  type ApiKeySummary,
  type DatabaseSummary,
  type DeviceSummary,
  type LogoutOthersResponse,
  type RotateApiKeyRequest,
  type RotateApiKeyResponse,
  type SecurityStatus,
} from '../../shared/account-api.ts';
import { ACTIVITY_PAGE_SIZE } from './activity.ts';
import type { AuthSession } from './auth-session.ts';
import type { DpopFetch } from './dpop-fetch.ts';
import { ExtensionError } from './errors.ts';
import { challengeError, stepUpMaxAge } from './www-authenticate.ts';
import { currentLocale, t } from './i18n/translator.ts';

type Route = (typeof accountApiRoutes)[keyof typeof accountApiRoutes];

export interface AccountClient {
  status(): Promise<SecurityStatus>;
  databases(): Promise<DatabaseSummary[]>;
  devices(): Promise<DeviceSummary[]>;
  logoutOthers(): Promise<LogoutOthersResponse>;
  apiKeys(): Promise<ApiKeySummary[]>;
  rotateApiKey(id: string, request: RotateApiKeyRequest): Promise<RotateApiKeyResponse>;
  /** One page of `GET /activity` (the newest without a cursor), or null from an IdP without that route (404). */
  activity(cursor: string | null): Promise<ActivityPage | null>;
}

export interface AccountClientDeps {
  issuer: string;
  session: AuthSession;
  dpopFetch: DpopFetch;
  /** False for the alarm-driven refresh: a background task must never open a sign-in window. */
  interactive: boolean;
}

export function createAccountClient(deps: AccountClientDeps): AccountClient {
  async function call<T>(route: Route, options: { id?: string; body?: unknown; query?: Record<string, string> } = {}): Promise<T> {
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const path = route.path.replace(':id', encodeURIComponent(options.id ?? '')) + query;
    const send = (accessToken: string) =>
      deps.dpopFetch({
        url: `${deps.issuer}${ACCOUNT_API_PREFIX}${path}`,
        method: route.method,
        accessToken,
        headers: { Accept: 'application/json', 'Accept-Language': currentLocale(), ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });

    let token = await deps.session.accessToken();
    let response = await send(token);
    if (response.status === 401) {
      const header = response.headers.get('www-authenticate');
      const maxAge = stepUpMaxAge(header);
      if (maxAge !== null) {
        if (!deps.interactive) throw new ExtensionError('step_up_failed', t('This action needs a recent sign-in.'));
        try {
          await deps.session.signIn({ maxAge });
        } catch (error) {
          const reason = error instanceof ExtensionError ? ` ${error.message}` : '';
          throw new ExtensionError('step_up_failed', `${t('This action needs a recent sign-in.')}${reason}`);
        }
        response = await send(await deps.session.accessToken());
        if (stepUpMaxAge(response.headers.get('www-authenticate')) !== null) {
          throw new ExtensionError('step_up_failed', t('The server still asks for a recent sign-in. Try again.'));
        }
      } else if (challengeError(header) === 'invalid_token') {
        token = await deps.session.forceRefresh(token);
        response = await send(token);
      }
    }
    if (response.ok) return (await response.json()) as T;

    const body = (await response.json().catch(() => null)) as ApiError | null;
    if (response.status === 401) throw new ExtensionError('signed_out', t('Your sign-in has expired. Sign in again.'), { status: 401, apiError: body?.error });
    throw new ExtensionError('api_error', body?.message ?? t('The server answered HTTP {{status}}.', { status: response.status }), { status: response.status, apiError: body?.error });
  }

  return {
    status: () => call(accountApiRoutes.status),
    databases: () => call(accountApiRoutes.databases),
    devices: () => call(accountApiRoutes.devices),
    logoutOthers: () => call(accountApiRoutes.logoutOthers, { body: {} }),
    apiKeys: () => call(accountApiRoutes.apiKeys),
    rotateApiKey: (id, request) => call(accountApiRoutes.rotateApiKey, { id, body: request }),
    activity: (cursor) =>
      call<ActivityPage>(accountApiRoutes.activity, { query: { limit: String(ACTIVITY_PAGE_SIZE), ...(cursor ? { cursor } : {}) } }).catch((error: unknown) => {
        if (error instanceof ExtensionError && error.code === 'api_error' && error.detail.status === 404) return null;
        throw error;
      }),
  };
}
