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
