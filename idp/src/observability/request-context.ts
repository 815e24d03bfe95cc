/**
 * The request being served, for log lines and metrics: its id and the route it matched. Set once per
 * request at the HTTP edge (app.ts) around everything that runs for it, ours and oidc-provider's alike,
 * so any log line written meanwhile carries the request id without anyone passing it.
 *
 * Invariants: an id is 1 to 128 characters of [A-Za-z0-9._:-] (a longer or odd X-Request-Id is
 * replaced, never echoed, so a header cannot inject into logs or responses); an X-Request-Id from the
 * client is taken only behind a trusted proxy (IDP_TRUST_PROXY), which sets it; `route` is a template
 * or a fixed name (never a raw path with ids), so it can be a metric label.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import type http from 'node:http';

export interface RequestContext {
  readonly id: string;
  /** `/my/databases/:id`, `oidc:token`, or one of the fixed names below until something matched. */
  route: string;
}

/** Route labels of requests no declaration matched. */
export const UNMATCHED_ROUTE = 'unmatched';
export const WRONG_METHOD_ROUTE = 'wrong_method';
export const REFUSED_ROUTE = 'refused';

const storage = new AsyncLocalStorage<RequestContext>();
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the trusted proxy's X-Request-Id when it is well formed, else a new one. */
export function requestIdOf(req: http.IncomingMessage, trustProxy: boolean): string {
  const given = req.headers['x-request-id'];
  if (trustProxy && typeof given === 'string' && VALID_ID.test(given)) return given;
  return crypto.randomUUID();
}

export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Names the route of the current request (oidc-provider's route name once it routed it). */
export function noteRoute(route: string): void {
  const context = storage.getStore();
  if (context) context.route = route;
}
