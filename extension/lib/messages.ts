/**
 * The one typed message table between extension pages (popup, options) and the background.
 *
 * Invariants: only our own extension pages may call (same extension id and a URL under our
 * extension base URL; content scripts and other extensions are refused); each request payload is
 * allow-listed by its parser before a handler runs; answers are `{ ok, data }` or `{ ok: false, error }`
 * data, never thrown objects, and never contain tokens.
 */
import type {
  ActivityPage,
  ApiKeySummary,
  DatabaseSummary,
  DeviceSummary,
  LogoutOthersResponse,
  RotateApiKeyRequest,
  RotateApiKeyResponse,
} from '../../shared/account-api.ts';
import { isActivityCursor } from './activity.ts';
import type { MessageSender } from './browser-api.ts';
import { type ErrorData, ExtensionError, toErrorData } from './errors.ts';
import type { CachedStatus } from './storage-items.ts';
import { t } from './i18n/translator.ts';

export interface PopupState {
  issuer: string;
  signedIn: boolean;
  /** Whether the host permission for the IdP origin was granted. */
  hasPermission: boolean;
  cached: CachedStatus | null;
}

export interface RotateRequest extends RotateApiKeyRequest {
  id: string;
}

export interface ActivityRequest {
  /** The previous page's `nextCursor`; null for the newest page. */
  cursor: string | null;
}

export interface MessageTable {
  getState: { request: null; response: PopupState };
  refreshStatus: { request: null; response: CachedStatus };
  signIn: { request: null; response: PopupState };
  signOut: { request: null; response: PopupState };
  listDatabases: { request: null; response: DatabaseSummary[] };
  listDevices: { request: null; response: DeviceSummary[] };
  /** null: the IdP has no activity route (404). */
  listActivity: { request: ActivityRequest; response: ActivityPage | null };
  logoutOtherDevices: { request: null; response: LogoutOthersResponse };
  listApiKeys: { request: null; response: ApiKeySummary[] };
  rotateApiKey: { request: RotateRequest; response: RotateApiKeyResponse };
}

export type MessageType = keyof MessageTable;
export type RequestOf<K extends MessageType> = MessageTable[K]['request'];
export type ResponseOf<K extends MessageType> = MessageTable[K]['response'];
export type MessageHandlers = { [K in MessageType]: (request: RequestOf<K>) => Promise<ResponseOf<K>> };
export type MessageResult<T> = { ok: true; data: T } | { ok: false; error: ErrorData };

const noPayload = (payload: unknown): null => {
  if (payload !== undefined && payload !== null) throw new ExtensionError('bad_request', t('This message takes no payload.'));
  return null;
};

const GRACE_SECONDS = [0, 3600, 86400] as const;

/** Input allow-list, one parser per message. */
export const requestParsers: { [K in MessageType]: (payload: unknown) => RequestOf<K> } = {
  getState: noPayload,
  refreshStatus: noPayload,
  signIn: noPayload,
  signOut: noPayload,
  listDatabases: noPayload,
  listDevices: noPayload,
  listActivity(payload) {
    const { cursor = null } = (typeof payload === 'object' && payload !== null ? payload : {}) as Partial<ActivityRequest>;
    if ((payload !== null && typeof payload !== 'object') || (cursor !== null && !isActivityCursor(cursor))) throw new ExtensionError('bad_request', t('The activity page asked for is not valid. Reload the list.'));
    return { cursor };
  },
  logoutOtherDevices: noPayload,
  listApiKeys: noPayload,
  rotateApiKey(payload) {
    const { id, graceSeconds } = (payload ?? {}) as Partial<RotateRequest>;
    if (typeof id !== 'string' || !/^[\w-]{1,128}$/.test(id)) throw new ExtensionError('bad_request', t('Unknown API key.'));
    if (!GRACE_SECONDS.includes(graceSeconds as 0)) throw new ExtensionError('bad_request', t('The grace period must be 0, 1 hour or 24 hours.'));
    return { id, graceSeconds: graceSeconds as RotateRequest['graceSeconds'] };
  },
};

export interface OwnExtension {
  id: string;
  /** `runtime.getURL('/')`: `chrome-extension://<id>/` or `moz-extension://<uuid>/`. */
  baseUrl: string;
}

/**
 * Compares by prefix, not `URL.origin`: for non-special schemes such as `moz-extension:` the
 * origin may be the string "null", which would make every extension page look alike.
 */
export function isOwnExtensionPage(sender: MessageSender, self: OwnExtension): boolean {
  return sender.id === self.id && typeof sender.url === 'string' && self.baseUrl.endsWith('/') && sender.url.startsWith(self.baseUrl);
}

/**
 * The background's `runtime.onMessage` listener. Returns undefined for messages that are not ours
 * (so other listeners may answer), a promise of the result otherwise.
 */
export function createMessageRouter(handlers: MessageHandlers, self: () => OwnExtension) {
  return (message: unknown, sender: MessageSender): Promise<MessageResult<unknown>> | undefined => {
    if (typeof message !== 'object' || message === null || !('type' in message)) return undefined;
    const { type, payload } = message as { type: unknown; payload?: unknown };
    if (typeof type !== 'string' || !Object.hasOwn(requestParsers, type)) return undefined;
    if (!isOwnExtensionPage(sender, self())) {
      return Promise.resolve({ ok: false, error: { code: 'forbidden_sender', message: t('Not allowed.') } });
    }
    const key = type as MessageType;
    return (async () => {
      try {
        const request = requestParsers[key](payload);
        const data = await (handlers[key] as (request: unknown) => Promise<unknown>)(request);
        return { ok: true as const, data };
      } catch (error) {
        return { ok: false as const, error: toErrorData(error) };
      }
    })();
  };
}

/** For extension pages: send a message and unwrap the result, throwing `ExtensionError` on failure. */
export async function callBackground<K extends MessageType>(
  send: (message: unknown) => Promise<unknown>,
  type: K,
  ...request: RequestOf<K> extends null ? [] : [RequestOf<K>]
): Promise<ResponseOf<K>> {
  const result = (await send({ type, payload: request[0] ?? null })) as MessageResult<ResponseOf<K>> | undefined;
  if (!result) throw new ExtensionError('internal', t('The extension background did not answer.'));
  if (!result.ok) throw new ExtensionError(result.error.code, result.error.message, { apiError: result.error.apiError, status: result.error.status });
  return result.data;
}
