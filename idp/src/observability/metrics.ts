/**
 * What the IdP counts, for Prometheus (README "Metrics"). Services, the store and the HTTP edge call
 * the narrow recording functions of `metrics` in their own words (`metrics.signIn('throttled')`); only
 * this module knows prom-client. Like log.ts it is process-wide: Prometheus scrapes a process (or, under
 * IDP_WORKERS, the primary, which sums its workers: see metrics-server.ts and cluster.ts).
 *
 * Invariants:
 * - Every label value comes from a fixed set or from code (route templates, oidc-provider route names,
 *   grant types oidc-provider accepted, rate-limit names): never a raw path, an id, an address or
 *   anything a client wrote, so the number of series stays bounded.
 * - Recording is cheap enough for the hot path (a store query observes one histogram, through a child
 *   bound to its engine) and always on, so turning the listener on needs no restart of anything else.
 * - Gauges that read the store (sessions, mail outbox) are computed only when scraped; a failed read
 *   leaves the gauge out of that scrape instead of failing it. Under IDP_WORKERS every worker reads the
 *   same store, so those gauges aggregate by `max`, not by sum.
 */
import client from 'prom-client';

export const registry = client.register;

const PREFIX = 'idp_';

export type SignInOutcome = 'success' | 'wrong_password' | 'throttled' | 'second_factor_required' | 'second_factor_failed' | 'passkey';
export type IntrospectionOutcome = 'active' | 'inactive' | 'api_key_active' | 'api_key_inactive' | 'refused';
export type StoreEngine = 'sqlite' | 'postgres';
export type MailFailure = 'retry' | 'gave_up';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** An `idp_` counter or histogram by the given labels (label values: see the invariants above). */
function counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  return new client.Counter({ name: `${PREFIX}${name}`, help, labelNames });
}
function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) {
  return new client.Histogram({ name: `${PREFIX}${name}`, help, labelNames, buckets });
}

const httpRequests = counter('http_requests_total', 'HTTP requests answered, by method, route template (or oidc-provider route name) and status.', ['method', 'route', 'status']);
const httpDuration = histogram('http_request_duration_seconds', 'Time from the request to the end of the response, by method, route template and status.', ['method', 'route', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
const signIns = counter('sign_ins_total', 'Sign-in steps by outcome: success, wrong_password, throttled, second_factor_required, second_factor_failed, passkey.', ['outcome']);
const tokensIssued = counter('tokens_issued_total', 'Successful token endpoint grants, by grant type.', ['grant_type']);
const introspections = counter('introspections_total', 'Token introspections by outcome: active, inactive (OAuth tokens), api_key_active, api_key_inactive, refused (client or request refused).', ['outcome']);
const rateLimitRejections = counter('rate_limit_rejections_total', 'Requests refused by a rate limit, by limit (the counter key family, e.g. signin:ip, signup:address, 2fa:account).', ['limit']);
const storeQueryDuration = histogram('store_query_duration_seconds', 'Store queries (get, all, run, exec) by engine, failed ones included.', ['engine'], [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]);
const storeQueryErrors = counter('store_query_errors_total', 'Store queries that failed, by engine.', ['engine']);
const mailFailures = counter('mail_delivery_failures_total', 'Mail delivery attempts that failed: retry (will be tried again) or gave_up (the message stays failed).', ['outcome']);

/** Label children bound once per engine: the hot path does no label lookup. */
const queryTimers = {
  sqlite: { duration: storeQueryDuration.labels('sqlite'), errors: storeQueryErrors.labels('sqlite') },
  postgres: { duration: storeQueryDuration.labels('postgres'), errors: storeQueryErrors.labels('postgres') },
};

/** The one recording interface of the IdP. */
export const metrics = {
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method: METHODS.has(method) ? method : 'other', route, status: String(status) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, seconds);
  },
  signIn(outcome: SignInOutcome): void {
    signIns.inc({ outcome });
  },
  tokenIssued(grantType: string): void {
    tokensIssued.inc({ grant_type: grantType });
  },
  introspection(outcome: IntrospectionOutcome): void {
    introspections.inc({ outcome });
  },
  rateLimited(limit: string): void {
    rateLimitRejections.inc({ limit });
  },
  storeQuery(engine: StoreEngine, seconds: number, failed: boolean): void {
    const timer = queryTimers[engine];
    timer.duration.observe(seconds);
    if (failed) timer.errors.inc();
  },
  mailFailed(outcome: MailFailure): void {
    mailFailures.inc({ outcome });
  },
};

/** What the scrape-time gauges read (the running IdP hands its store's queries in). */
export interface ScrapeSources {
  /** Unexpired sessions, or undefined when they are not countable here (kept in Redis). */
  liveSessions(): Promise<number | undefined>;
  outbox(): Promise<{ queued: number; failed: number }>;
}

let sources: ScrapeSources | undefined;

new client.Gauge({
  name: `${PREFIX}sessions_live`,
  help: 'Unexpired sign-in sessions, read from the store when scraped (0 with IDP_REDIS_URL: sessions live in Redis and are not counted).',
  aggregator: 'max',
  async collect() {
    const count = await sources?.liveSessions().catch(() => undefined);
    this.set(count ?? 0);
  },
});
new client.Gauge({
  name: `${PREFIX}mail_outbox_messages`,
  help: 'Mail in the durable outbox, by status: queued (waiting or being retried) and failed (given up). Read when scraped.',
  labelNames: ['status'] as const,
  aggregator: 'max',
  async collect() {
    const outbox = await sources?.outbox().catch(() => undefined);
    this.reset();
    if (!outbox) return;
    this.set({ status: 'queued' }, outbox.queued);
    this.set({ status: 'failed' }, outbox.failed);
  },
});

let runtimeCollected = false;

/** Turns on the scrape-time gauges (with the store they read) and Node's runtime metrics. */
export function collectFrom(next: ScrapeSources): void {
  sources = next;
  if (!runtimeCollected) client.collectDefaultMetrics({ register: registry });
  runtimeCollected = true;
}

/** This process's metrics in the Prometheus text format. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** In a cluster worker: answer the primary's requests for this worker's metrics (prom-client's protocol). */
export function answerClusterScrapes(): void {
  client.AggregatorRegistry.setRegistries([registry]);
  void new client.AggregatorRegistry(); // its constructor installs the worker's message listener
}
