/**
 * The one error type of the IdP. Domain code throws `AppError` with a stable code; the HTTP edge turns
 * it into a page or JSON. `expose: false` errors are logged with their detail and shown to people as a
 * generic message, so internals never leak.
 */
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
  too_many_requests: 429,
  server_error: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Field-level messages for forms, keyed by input name. */
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fields?: Record<string, string>; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.expose = this.status < 500;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
