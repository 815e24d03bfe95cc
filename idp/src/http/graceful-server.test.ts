/**
 * The listener's life on a real socket, with a plain handler instead of the app: 503 while starting,
 * `Connection: close` and quiet connections ended while draining, requests in flight finished after the
 * listener closed, and the connections still open past the grace cut and counted.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulServer, IDLE_END_MS, type GracefulServer } from './graceful-server.ts';

const servers: GracefulServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

/** A server whose handler answers `/slow?ms=N` after N ms and everything else at once. */
async function started(): Promise<{ listener: GracefulServer; port: number }> {
  const listener = gracefulServer();
  servers.push(listener);
  const port = await listener.listen(0, '127.0.0.1');
  return { listener, port };
}

function serveApp(listener: GracefulServer): void {
  listener.serve((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => res.end('done'), ms);
  });
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    }).on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful server', () => {
  it('answers 503 while the app is not there, and /readyz says it is starting', async () => {
    const { listener, port } = await started();
    expect(listener.phase()).toBe('starting');
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(JSON.parse(ready.body)).toEqual({ ok: false, reason: 'starting' });
    expect((await get(port, '/my/login?x=1')).status).toBe(503);
    expect(JSON.parse((await get(port, '/healthz')).body)).toEqual({ ok: true });
    serveApp(listener);
    expect(await get(port, '/my/login')).toMatchObject({ status: 200, body: 'done' });
    expect(listener.phase(), 'ready() not called yet').toBe('starting');
    listener.ready();
    expect(listener.phase()).toBe('serving');
  });

  it('serves during the delay with Connection: close, finishes the request in flight after closing, then refuses', async () => {
    const { listener, port } = await started();
    serveApp(listener);
    listener.ready();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/', agent)).headers.connection).toBe('keep-alive');
    const slow = get(port, '/slow?ms=600');
    await sleep(50);
    const drained = listener.drain({ delayMs: 300, graceMs: 5000 });
    expect(listener.phase()).toBe('draining');
    const during = await get(port, '/', agent);
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');
    await sleep(400); // past the delay: the listener is closed, the slow request still runs
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await slow).toMatchObject({ status: 200, body: 'done' });
    expect(await drained).toEqual({ cut: 0, cutInFlight: 0 });
    agent.destroy();
  });

  it('ends a quiet keep-alive connection only once it has been quiet a while', async () => {
    const { listener, port } = await started();
    serveApp(listener);
    listener.ready();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const ended = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    const drainedAt = Date.now();
    const drained = listener.drain({ delayMs: 0, graceMs: 5000 });
    // Right after its answer a request may already be on the wire: it is still served.
    socket.write('GET /again HTTP/1.1\r\nHost: x\r\n\r\n');
    const endedAt = await ended;
    expect(received.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(received).toMatch(/Connection: close/i);
    expect(endedAt - drainedAt).toBeLessThan(5000);
    expect(await drained).toEqual({ cut: 0, cutInFlight: 0 });

    // A connection that never sends anything is ended after IDLE_END_MS, not at once.
    const { listener: other, port: otherPort } = await started();
    serveApp(other);
    const idle = net.connect(otherPort, '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    const idleEnded = new Promise<number>((resolve) => idle.once('close', () => resolve(Date.now())));
    const start = Date.now();
    const otherDrained = other.drain({ delayMs: 0, graceMs: 5000 });
    expect(await idleEnded - start).toBeGreaterThanOrEqual(IDLE_END_MS - 50);
    expect(await otherDrained).toEqual({ cut: 0, cutInFlight: 0 });
  });

  it('cuts what is still open past the grace, and counts it', async () => {
    const { listener, port } = await started();
    serveApp(listener);
    const stuck = get(port, '/slow?ms=60000').catch((error: unknown) => error);
    await sleep(50);
    const report = await listener.drain({ delayMs: 0, graceMs: 300 });
    expect(report).toEqual({ cut: 1, cutInFlight: 1 });
    expect(await stuck).toMatchObject({ code: 'ECONNRESET' });
  });

  it('retires without the delay', async () => {
    const { listener, port } = await started();
    serveApp(listener);
    listener.ready();
    const start = Date.now();
    await listener.drain({ delayMs: 10_000, graceMs: 1000, retire: true });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(listener.phase()).toBe('retiring');
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
