/**
 * The access log and the HTTP metrics: one `request` line at info and one observation per request,
 * ours and oidc-provider's alike, written when the response ends (or the client went away: `aborted`).
 * The request gets its id here (X-Request-Id from a trusted proxy, else a new one), echoed on the
 * response before anything else can answer.
 *
 * Invariant: the line carries the route template, never the path or query (they hold ids, and links
 * that carry tokens), and no header value.
 */
import type http from 'node:http';
import { log } from '../log.ts';
import { metrics } from '../observability/metrics.ts';
import { requestIdOf, UNMATCHED_ROUTE, type RequestContext } from '../observability/request-context.ts';

export function observeRequest(req: http.IncomingMessage, res: http.ServerResponse, trustProxy: boolean): RequestContext {
  const started = process.hrtime.bigint();
  const context: RequestContext = { id: requestIdOf(req, trustProxy), route: UNMATCHED_ROUTE };
  res.setHeader('X-Request-Id', context.id);
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const method = req.method ?? 'GET';
    const aborted = !res.writableFinished;
    metrics.httpRequest(method, context.route, res.statusCode, seconds);
    if (!log.enabled('info')) return;
    log.info('request', {
      reqId: context.id, method, route: context.route, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10,
      ...(aborted ? { aborted: true } : {}),
    });
  });
  return context;
}
