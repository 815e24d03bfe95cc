/**
 * One error type for the extension. `code` is what the popup branches on; `message` is for people.
 * It crosses the message channel as plain data (`toErrorData`), never as a thrown object.
 */
import { t } from './i18n/translator.ts';

export type ExtensionErrorCode =
  | 'signed_out'
  | 'offline'
  | 'permission_missing'
  | 'auth_cancelled'
  | 'auth_failed'
  | 'step_up_failed'
  | 'api_error'
  | 'bad_request'
  | 'forbidden_sender'
  | 'internal';

export interface ErrorData {
  code: ExtensionErrorCode;
  message: string;
  /** The API's own error code when `code` is `api_error`. */
  apiError?: string;
  status?: number;
}

export class ExtensionError extends Error {
  constructor(
    readonly code: ExtensionErrorCode,
    message: string,
    readonly detail: { apiError?: string; status?: number } = {},
  ) {
    super(message);
    this.name = 'ExtensionError';
  }
}

export function toErrorData(error: unknown): ErrorData {
  if (error instanceof ExtensionError) return { code: error.code, message: error.message, ...error.detail };
  // fetch rejects with a TypeError when the network (or the host permission) is missing.
  if (error instanceof TypeError) return { code: 'offline', message: t('Cannot reach the Latchkey server.') };
  return { code: 'internal', message: t('Something went wrong. Try again.') };
}
