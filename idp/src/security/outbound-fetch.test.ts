import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundFetch } from './outbound-fetch.ts';

let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('outbound fetch', () => {
  const guard = { dispatcher: { dispatch: () => { throw new Error('guarded'); } } } as unknown as RequestInit;
  it('drops the SSRF guard for loopback outside production only', async () => {
    expect(await (await outboundFetch({ production: false })(url, { ...guard })).text()).toBe('ok');
    await expect(outboundFetch({ production: true })(url, { ...guard })).rejects.toThrow();
  });
});

describe('outbound fetch timeout', () => {
  it('gives up on a server that never answers within timeoutMs', async () => {
    const silent = http.createServer(() => {}); // accepts, never responds
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    try {
      const started = Date.now();
      await expect(outboundFetch({ production: false, timeoutMs: 300 })(silentUrl, {})).rejects.toThrow(/abort|timeout/i);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
