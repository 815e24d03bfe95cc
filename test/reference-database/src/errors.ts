/**
 * The one error type of the app. `message` is written for people and is always shown; `detail` is
 * for the log only. Anything that is not an AppError becomes a generic `server_error` (or, for
 * errors Koa middleware marks as exposable 4xx, a `bad_request` with their message).
 */
export type ErrorCode =
  | 'bad_request'
  | 'csrf_failed'
  | 'unauthorized'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'access_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'sign_in_failed'
  | 'idp_unavailable'
  | 'server_error';

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  csrf_failed: 403,
  unauthorized: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  access_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  sign_in_failed: 400,
  idp_unavailable: 502,
  server_error: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusByCode[code];
  }
}

/** Normalises anything thrown into an AppError that is safe to show. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const maybe = error as { status?: unknown; expose?: unknown; message?: unknown } | null;
  if (maybe && typeof maybe.status === 'number' && maybe.status >= 400 && maybe.status < 500) {
    if (maybe.status === 404) return new AppError('not_found', 'This page does not exist.');
    if (maybe.status === 405) return new AppError('method_not_allowed', 'This address does not accept that kind of request.');
    if (maybe.status === 413) return new AppError('bad_request', 'The request body is too large.', error);
    if (maybe.status === 415) return new AppError('bad_request', 'This content type is not accepted here.', error);
    return new AppError('bad_request', 'The request could not be read. Check its format and try again.', error);
  }
  return new AppError('server_error', 'Something went wrong on our side. Please try again.', error);
}
