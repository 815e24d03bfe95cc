/**
 * The public listener and its life (issue 19): starting → serving → draining (or retiring) → closed.
 *
 * - starting: until the app is handed in (`serve`), every request gets a 503 with Retry-After (`/healthz`
 *   still answers: the process is alive); until `ready()`, `/readyz` answers 503 `starting`.
 * - draining (SIGTERM, the whole instance goes): `/readyz` answers 503 `draining` at once; requests are
 *   still served for `delayMs`, so a load balancer polling `/readyz` takes the instance out before any
 *   connection is refused; then the listener closes and the requests in flight get `graceMs` to finish.
 * - retiring (one cluster worker replaced by a rolling restart): the same without the delay, and
 *   `/readyz` stays as it is: the instance's other workers go on serving, and closing the listener is
 *   enough for the cluster primary to hand new connections to them.
 *
 * Invariants while draining or retiring:
 * - Every response carries `Connection: close`, so a client never reuses a connection that is about to go.
 * - A connection with no request in flight is ended once it has been quiet for IDLE_END_MS (after its
 *   last response, or since it was accepted), never at once: a request may be on the wire on a connection
 *   that was just accepted or just answered, and ending it then would fail that request. (This is why the
 *   listener is closed at the net level: http's `server.close()` ends every idle connection at once.)
 * - Past `graceMs` every connection still open is destroyed and counted: the drain always finishes.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ServingPhase = 'starting' | 'serving' | 'retiring' | 'draining';

/** How long a connection without a request in flight may stay quiet while draining before it is ended. */
export const IDLE_END_MS = 500;
const SWEEP_MS = 100;

export interface DrainOptions {
  /** Keep serving this long, `/readyz` at 503, before closing the listener. */
  delayMs: number;
  /** Bound on the requests in flight once the listener is closed. */
  graceMs: number;
  /** One cluster worker replaced while the instance serves on: no delay, `/readyz` unchanged. */
  retire?: boolean;
}

export interface DrainReport {
  /** Connections destroyed when `graceMs` ran out. */
  cut: number;
  /** Of those, how many had a request in flight. */
  cutInFlight: number;
}

export interface GracefulServer {
  readonly server: http.Server;
  phase(): ServingPhase;
  /** Binds the port; resolves with the port bound. */
  listen(port: number, host: string): Promise<number>;
  /** From now on requests go to `handler` (the app); before, they get 503 `starting`. */
  serve(handler: http.RequestListener): void;
  /** Everything is up: `/readyz` stops answering `starting`. */
  ready(): void;
  /** Stops gracefully (see the top of this file); resolves once every connection is closed or cut. */
  drain(options: DrainOptions): Promise<DrainReport>;
  /** Stops at once, every connection cut (tests, and a start that failed). */
  close(): Promise<void>;
}

interface ConnectionState {
  /** Requests received on this connection whose response has not ended. */
  inFlight: number;
  /** When the connection was accepted or last finished a response. */
  quietSince: number;
}

/** A 503 before the app exists: JSON, never cached; `/healthz` answers, the process being alive. */
function answerStarting(req: http.IncomingMessage, res: http.ServerResponse): void {
  const pathname = (req.url ?? '/').split('?')[0];
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (pathname === '/healthz') {
    res.writeHead(200, headers).end(JSON.stringify({ ok: true }));
    return;
  }
  const body = pathname === '/readyz'
    ? { ok: false, reason: 'starting' }
    : { error: 'temporarily_unavailable', message: 'The service is starting. Try again in a moment.' };
  res.writeHead(503, { ...headers, 'Retry-After': '1' }).end(JSON.stringify(body));
}

export function gracefulServer(): GracefulServer {
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  let phase: ServingPhase = 'starting';
  let handler: http.RequestListener = answerStarting;
  let draining: Promise<DrainReport> | undefined;
  const connections = new Map<net.Socket, ConnectionState>();

  server.on('connection', (socket: net.Socket) => {
    connections.set(socket, { inFlight: 0, quietSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const state = connections.get(req.socket);
    if (state) {
      state.inFlight++;
      res.once('close', () => {
        state.inFlight--;
        state.quietSince = Date.now();
      });
    }
    if (phase === 'draining' || phase === 'retiring') res.setHeader('Connection', 'close');
    handler(req, res);
  });

  function endQuietConnections(): void {
    const now = Date.now();
    for (const [socket, state] of connections) {
      if (state.inFlight === 0 && now - state.quietSince >= IDLE_END_MS) socket.destroy();
    }
  }

  async function runDrain(options: DrainOptions): Promise<DrainReport> {
    phase = options.retire ? 'retiring' : 'draining';
    const sweep = setInterval(endQuietConnections, SWEEP_MS);
    try {
      if (!options.retire && options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      // net's close, not http's: stop accepting without ending every idle connection at once (see the top).
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const deadline = Date.now() + options.graceMs;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const report: DrainReport = { cut: connections.size, cutInFlight: [...connections.values()].filter((s) => s.inFlight > 0).length };
      for (const socket of connections.keys()) socket.destroy();
      await closed;
      return report;
    } finally {
      clearInterval(sweep);
    }
  }

  return {
    server,
    phase: () => phase,
    listen(port, host) {
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    serve(app) {
      handler = app;
    },
    ready() {
      if (phase === 'starting') phase = 'serving';
    },
    drain(options) {
      draining ??= runDrain(options);
      return draining;
    },
    async close() {
      phase = 'draining';
      if (!server.listening) {
        for (const socket of connections.keys()) socket.destroy();
        return;
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
