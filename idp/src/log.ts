/**
 * The leveled logger every module uses: `log.info(message, fields?)`, `log.warn`, `log.error`,
 * `log.debug`. Built on pino; lines go to stderr, so stdout stays for the output of `idp` commands.
 *
 * Invariants:
 * - One line per event. `json` (IDP_LOG_FORMAT, the default in production) writes pino's JSON object:
 *   `level` (a name), `time` (ISO 8601), `msg`, the fields, and `reqId`/`route` of the request being
 *   served (observability/request-context.ts) when there is one. `pretty` (the default in development)
 *   writes the same event as one human line, `[idp] WARN: message key=value`.
 * - Secrets never reach a line through fields: `redact` censors authorization, cookie, set-cookie,
 *   password, token, secret and code fields (top level and one level down, headers included). Messages
 *   are plain text and must not carry them either: log route templates and ids, never request bodies,
 *   query strings or header values.
 * - Errors go in the `err` field (`log.error('…', { err })`): pino writes their type, message and stack.
 */
import pino from 'pino';
import { currentRequest } from './observability/request-context.ts';

type Level = 'silent' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

let format: LogFormat = process.env.NODE_ENV === 'production' ? 'json' : 'pretty';

const SECRET_FIELDS = ['authorization', 'cookie', '["set-cookie"]', 'password', 'token', 'secret', 'code',
  'client_secret', 'access_token', 'refresh_token', 'id_token'];
const REDACT = [
  ...SECRET_FIELDS,
  // One level down, but not err.code: ECONNREFUSED is worth keeping.
  ...SECRET_FIELDS.filter((f) => f !== 'code').map((f) => (f.startsWith('[') ? `*${f}` : `*.${f}`)),
  ...['body', 'query', 'params'].map((where) => `${where}.code`),
  ...['req.headers', 'res.headers'].flatMap((where) => ['.authorization', '.cookie', '["set-cookie"]', '["x-api-key"]'].map((h) => `${where}${h}`)),
];

/** Fields of the pretty line that the line's head already shows. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

function valueText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=]*$/.test(text) ? text : JSON.stringify(text);
}

/** One JSON line of pino as the human line of `pretty` (the form the IdP always wrote, plus the fields). */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = String(entry.level ?? 'info');
  if (entry.msg === 'request' && level === 'info' && entry.route !== undefined) {
    // The access line, as people read one.
    return `[idp] ${String(entry.method)} ${String(entry.route)} ${String(entry.status)} ${String(entry.durationMs)} ms${entry.aborted ? ' (aborted)' : ''} req=${String(entry.reqId)}\n`;
  }
  const head = level === 'info' ? '' : `${level.toUpperCase()}: `;
  const fields = Object.entries(entry).filter(([key]) => !HEAD_FIELDS.has(key)).map(([key, value]) => `${key}=${valueText(value)}`);
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const stack = err ? `\n${err.stack ?? err.message ?? ''}` : '';
  return `[idp] ${head}${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}

// A pino destination: the line as pino made it (json) or reshaped (pretty), written to stderr like
// every other message of the process (tests and supervisors read stderr, stdout is command output).
const destination = {
  write(line: string): void {
    process.stderr.write(format === 'json' ? line : prettyLine(line));
  },
};

const logger = pino({
  level: 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  redact: { paths: REDACT, censor: '[redacted]' },
  // The request being served, on every line written while serving it.
  mixin() {
    const request = currentRequest();
    return request ? { reqId: request.id, route: request.route } : {};
  },
}, destination);

export function setLogLevel(level: Level): void {
  logger.level = level;
}

export function setLogFormat(next: LogFormat): void {
  format = next;
}

export function configureLog(settings: { logLevel: Level; logFormat: LogFormat }): void {
  setLogLevel(settings.logLevel);
  setLogFormat(settings.logFormat);
}

export const log = {
  error: (message: string, fields?: LogFields) => (fields ? logger.error(fields, message) : logger.error(message)),
  warn: (message: string, fields?: LogFields) => (fields ? logger.warn(fields, message) : logger.warn(message)),
  info: (message: string, fields?: LogFields) => (fields ? logger.info(fields, message) : logger.info(message)),
  debug: (message: string, fields?: LogFields) => (fields ? logger.debug(fields, message) : logger.debug(message)),
  /** False when the line would be dropped, so a caller can skip building its fields. */
  enabled: (level: Exclude<Level, 'silent'>) => logger.isLevelEnabled(level),
};
