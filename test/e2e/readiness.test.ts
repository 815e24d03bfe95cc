/**
 * `/readyz` through the real app (issue 19): 200 with the dependencies up while serving, 503 with the
 * reason `draining` as soon as a drain starts, while the sign-in page is still served (with
 * `Connection: close`) for IDP_SHUTDOWN_DELAY_MS; then the listener is gone.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';

let idp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp({ IDP_SHUTDOWN_DELAY_MS: '1500', IDP_SHUTDOWN_GRACE_MS: '5000' });
});
afterAll(async () => {
  await idp?.close();
});

function get(path: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(`${idp.url}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    }).on('error', reject);
  });
}

describe('/readyz', () => {
  it('is ready while serving, says draining from the drain on, and the IdP serves through the delay', async () => {
    expect(idp.phase()).toBe('serving');
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ok: true, store: 'up', redis: idp.config.redisUrl ? 'up' : 'not configured' });

    const started = Date.now();
    const drained = idp.drain();
    const draining = await get('/readyz');
    expect(draining.status).toBe(503);
    expect(draining.headers['retry-after']).toBeDefined();
    expect(JSON.parse(draining.body)).toMatchObject({ ok: false, reason: 'draining', store: 'up' });
    expect((await get('/healthz')).status, 'still alive').toBe(200);
    const page = await get('/my/login');
    expect(page.status).toBeLessThan(400);
    expect(page.headers.connection).toBe('close');
    expect(Date.now() - started, 'all of this within the delay').toBeLessThan(1500);

    expect(await drained).toEqual({ cut: 0, cutInFlight: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    await expect(get('/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
