/**
 * The one rule for malformed transport (issue 20), applied to every request before it is matched, for
 * our routes and oidc-provider's alike, so neither the body parsers nor either store ever see it:
 *
 * - `Content-Encoding` other than `identity` → 415 (with `Accept-Encoding: identity`, RFC 7694): no
 *   client of an identity provider needs compressed request bodies, and inflating them was a 500.
 * - A `Host` (and, behind a trusted proxy, `X-Forwarded-Host`) that is not host[:port] with a port up
 *   to 65535 → 400.
 * - NUL or invalid UTF-8 (overlong forms, lone surrogates, stray bytes), raw or percent-encoded, in the
 *   path, the query, a form body or a JSON string (keys too, `\u0000` and unpaired `\uD8xx` escapes
 *   included) → 400. PostgreSQL refuses NUL in text and both engines would store mojibake otherwise.
 * - A body larger than `BODY_LIMIT` → 400 "too large" (as our body parser always answered it).
 *
 * A request with a body is read here, once, and handed on as a replay of the same bytes (a fresh
 * IncomingMessage on the same socket), so both body parsers downstream work unchanged.
 */
import http from 'node:http';

/** Larger than any form or JSON body of ours (64 KiB) and oidc-provider's (56 KiB): they keep their own limits. */
export const BODY_LIMIT = 64 * 1024 + 1;

export interface TransportRefusal {
  status: 400 | 415;
  message: string;
  headers?: Record<string, string>;
}

export type Screened = { ok: true; req: http.IncomingMessage } | { ok: false; req: http.IncomingMessage; refusal: TransportRefusal };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// RFC 3986 host: an IP literal in brackets, or a reg-name (unreserved, pct-encoded, sub-delims); port 0–65535.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::(\d{1,5}))?$/;

export function isValidHost(value: string): boolean {
  const found = HOST.exec(value);
  return found !== null && (found[1] === undefined || Number(found[1]) <= 65535);
}

/** True when `raw` holds a percent sign, a NUL or a char above ASCII. */
function needsDecoding(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 || c === 0 || c > 0x7f) return true;
  }
  return false;
}

/**
 * The bytes a URL component or form body stands for (percent-escapes decoded, `+` left alone), or
 * undefined when it holds NUL or is not valid UTF-8. `raw` is latin1: Node hands request-line bytes as
 * one char each.
 */
export function percentDecodedText(raw: string): string | undefined {
  if (!needsDecoding(raw)) return raw; // plain ASCII without escapes: the common case
  const bytes = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes[n++] = parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (c > 0xff) {
      return undefined; // not a byte: the caller passed decoded text
    } else {
      bytes[n++] = c;
    }
  }
  const slice = bytes.subarray(0, n);
  if (slice.includes(0)) return undefined;
  try {
    return strictUtf8.decode(slice);
  } catch {
    return undefined;
  }
}

/** True when a parsed JSON value holds NUL or a lone surrogate in any string (keys included). */
function jsonHasBadText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || !(value as string & { isWellFormed(): boolean }).isWellFormed();
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => jsonHasBadText(v, depth + 1));
  return Object.entries(value).some(([k, v]) => jsonHasBadText(k) || jsonHasBadText(v, depth + 1));
}

function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

const refuse = (status: TransportRefusal['status'], message: string, headers?: Record<string, string>): TransportRefusal => ({ status, message, headers });

/** The checks that need only the request head. */
export function screenHead(req: http.IncomingMessage, options: { trustProxy: boolean }): TransportRefusal | undefined {
  const host = req.headers.host;
  if (host !== undefined && !isValidHost(host)) return refuse(400, 'The Host header is not a valid host name and port.');
  const forwardedHost = req.headers['x-forwarded-host'];
  if (options.trustProxy && typeof forwardedHost === 'string' && !forwardedHost.split(',').every((h) => isValidHost(h.trim()))) {
    return refuse(400, 'The X-Forwarded-Host header is not a valid host name and port.');
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return refuse(415, 'Request bodies must not be compressed: send them without Content-Encoding.', { 'Accept-Encoding': 'identity' });
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (percentDecodedText(q === -1 ? url : url.slice(0, q)) === undefined) {
    return refuse(400, 'The address contains a NUL character or bytes that are not UTF-8.');
  }
  if (q !== -1 && percentDecodedText(url.slice(q + 1)) === undefined) {
    return refuse(400, 'A parameter contains a NUL character or bytes that are not UTF-8.');
  }
  return undefined;
}

/** The checks on a body already read. */
export function screenBodyBytes(body: Buffer, type: string): TransportRefusal | undefined {
  if (type === 'application/x-www-form-urlencoded') {
    if (percentDecodedText(body.toString('latin1')) === undefined) {
      return refuse(400, 'A form field contains a NUL character or bytes that are not UTF-8.');
    }
  } else if (type === 'application/json' || type.endsWith('+json')) {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return refuse(400, 'The JSON body is not valid UTF-8.');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined; // not JSON at all: the route's parser answers that with its own 400
    }
    if (jsonHasBadText(parsed)) return refuse(400, 'A JSON string contains a NUL character or an unpaired surrogate.');
  }
  return undefined;
}

/** Reads at most `BODY_LIMIT` bytes; undefined when the body is larger (the rest is left unread). */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > BODY_LIMIT) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A request that reads as `body`, with the original's head and socket (for both body parsers downstream). */
function replay(req: http.IncomingMessage, body: Buffer): http.IncomingMessage {
  const copy = new http.IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.trailers = req.trailers;
  copy.complete = true;
  // Everything is pushed below: reading must not resume the socket, which node's HTTP parser owns.
  copy._read = () => {};
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}

/** True when the request carries a form or JSON body, which `screenBody` must read before anyone else. */
export function needsBodyScreening(req: http.IncomingMessage): boolean {
  const type = mediaType(req);
  return hasBody(req) && (type === 'application/x-www-form-urlencoded' || type === 'application/json' || type.endsWith('+json'));
}

/**
 * Reads and screens the body of a request that `needsBodyScreening`. The request to hand on is a replay
 * of the bytes read, in both outcomes (a refusal is answered on it too).
 */
export async function screenBody(req: http.IncomingMessage): Promise<Screened> {
  let body: Buffer | undefined;
  try {
    body = await readBody(req);
  } catch {
    return { ok: false, req, refusal: refuse(400, 'The request body could not be read.', { Connection: 'close' }) };
  }
  const next = replay(req, body ?? Buffer.alloc(0));
  if (!body) return { ok: false, req: next, refusal: refuse(400, 'The request is too large.', { Connection: 'close' }) };
  const refusal = screenBodyBytes(body, mediaType(req));
  return refusal ? { ok: false, req: next, refusal } : { ok: true, req: next };
}

/** oidc-provider's OAuth endpoints: a refusal there is an OAuth error body, not our page. */
const OAUTH_PATHS = /^\/(token(\/introspection|\/revocation)?|request|reg|auth|session\/end|me)(\/|$)/i;

export function isOAuthPath(pathname: string): boolean {
  return OAUTH_PATHS.test(pathname);
}
