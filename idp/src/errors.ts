/**
 * The one error type of the IdP. Domain code throws `AppError` with a stable code; the HTTP edge turns
 * it into a page or JSON. `expose: false` errors are logged with their detail and shown to people as a
 * generic message, so internals never leak.
 *
 * The message is a catalog key (the English sentence, idp/src/i18n) with `params` for its `{{names}}`:
 * `.message` is always the English text (logs, JSON clients, tests read it), and the error handler shows
 * `localized(t)` in the request's language. Field messages are keys without params.
 */
import { translateText, translator, type Translate } from './i18n/translator.ts';

/** Values for a message's `{{placeholders}}`; `count` also picks the plural form. */
export type MessageParams = Record<string, string | number>;
const englishT = translator('en');
export const errorCodes = {
  bad_request: 400,
  invalid_input: 400,
  invalid_credentials: 401,
  reauthentication_required: 401,
  unauthorized: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unsupported_media_type: 415,
  too_many_requests: 429,
  server_error: 500,
  /** PostgreSQL, Redis or the SQLite file did not answer in time: retry later (Retry-After), not a bug. */
  dependency_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** One sentence of a message: its catalog key and the values of its `{{placeholders}}`. */
export interface Sentence {
  key: string;
  params?: MessageParams;
}

export interface AppErrorOptions {
  /** Values of the message's `{{placeholders}}` (`count` picks a plural form). */
  params?: MessageParams;
  /** A second sentence said after the message ("Try again in 5 minutes."). */
  followedBy?: Sentence;
  /** Field messages (keys, or sentences with params); a field given the message's own key shows the message with its params. */
  fields?: Record<string, string | Sentence>;
  cause?: unknown;
  headers?: Record<string, string>;
}

function say(t: Translate, message: Sentence, followedBy?: Sentence): string {
  const first = message.params ? translateText(t, message.key, message.params) : translateText(t, message.key);
  return followedBy ? `${first} ${translateText(t, followedBy.key, followedBy.params)}` : first;
}

function fieldText(t: Translate, field: string | Sentence, messageKey: string, messageText: string): string {
  if (typeof field !== 'string') return translateText(t, field.key, field.params);
  return field === messageKey ? messageText : translateText(t, field);
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Field-level messages for forms, keyed by input name (English, like `.message`). */
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** The catalog key of the message and its params (`.message` is the English text of both). */
  readonly key: string;
  readonly params?: MessageParams;
  readonly followedBy?: Sentence;
  readonly #fieldKeys?: Record<string, string | Sentence>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    // A message need not be in the catalogs yet: it then shows in English in every language.
    const english = options.params || options.followedBy ? say(englishT, { key: message, params: options.params }, options.followedBy) : message;
    super(english, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.expose = this.status < 500;
    this.key = message;
    this.params = options.params;
    this.followedBy = options.followedBy;
    this.#fieldKeys = options.fields;
    this.fields = options.fields && Object.fromEntries(Object.entries(options.fields).map(([name, text]) => [name, fieldText(englishT, text, message, english)]));
    this.headers = options.headers;
  }

  /** The same error worded in `t`'s language (message and field messages), for the page or JSON answer. */
  localized(t: Translate): AppError {
    if (t.locale === 'en') return this;
    const text = say(t, { key: this.key, params: this.params }, this.followedBy);
    const fields = this.#fieldKeys && Object.fromEntries(Object.entries(this.#fieldKeys).map(([name, key]) => [name, fieldText(t, key, this.key, text)]));
    return new AppError(this.code, text, { fields, cause: this.cause, headers: this.headers });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** What a client is told to wait (Retry-After, seconds) when a dependency is down: about one breaker pause. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** The 503 a person or client sees when the store or Redis does not answer. */
export function dependencyUnavailable(cause?: unknown): AppError {
  return new AppError('dependency_unavailable', 'Latchkey cannot reach its storage right now. Try again in a few seconds.', {
    cause, headers: { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
  });
}

// Node's network errors: the peer is gone, refuses, or is unreachable.
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN',
]);
// PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (08…), insufficient
// resources (53…), query_canceled (57014, our statement_timeout), lock_not_available (55P03, our lock
// wait), and the operator-intervention shutdowns (57P01–57P03).
const PG_UNAVAILABLE = /^(08...|53...|57014|55P03|57P0[1-3])$/;
// SQLite: the write lock was not free within busy_timeout.
const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_BUSY_RECOVERY']);
// Messages of pg, pg-pool and ioredis that carry no code (matched on their stable prefixes).
const CLIENT_MESSAGES = [
  'Query read timeout', // pg query_timeout (a frozen connection)
  'timeout exceeded when trying to connect', // pg-pool connectionTimeoutMillis (connect or checkout)
  'Connection terminated', // pg: the server or the network closed the connection
  'Client has encountered a connection error', // pg: a broken client reused
  'Command timed out', // ioredis commandTimeout
  'Connection is closed', // ioredis
  'Reached the max retries per request limit', // ioredis maxRetriesPerRequest
  "Stream isn't writeable", // ioredis offline, queue disabled
];

/**
 * True when `error` means a dependency (PostgreSQL, Redis, the SQLite file's lock) did not answer:
 * refused or reset connections, connect/checkout/statement/command timeouts, a breaker that is open.
 * Such errors become `dependency_unavailable` (503 + Retry-After) instead of a 500: the request was
 * fine, the answer is "later". Follows `cause` and AggregateError (Node's happy-eyeballs connect).
 */
export function isDependencyFailure(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  if (isAppError(error)) return error.code === 'dependency_unavailable';
  const e = error as { code?: unknown; message?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || SQLITE_UNAVAILABLE.has(e.code) || PG_UNAVAILABLE.test(e.code)) return true;
  }
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && CLIENT_MESSAGES.some((m) => (e.message as string).startsWith(m))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDependencyFailure(inner, depth + 1))) return true;
  return isDependencyFailure(e.cause, depth + 1);
}
