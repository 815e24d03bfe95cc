/**
 * A tiny relying party for back-channel logout: an HTTP server on loopback that receives logout tokens
 * and verifies them with jose against the IdP's JWKS (issuer, audience, events claim, no nonce), as a
 * database would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface LogoutReceiver {
  url: string;
  received: JWTPayload[];
  rejected: string[];
  waitFor(count: number, timeoutMs?: number): Promise<JWTPayload[]>;
  close(): Promise<void>;
}

export async function startLogoutReceiver(issuer: string, audience: () => string): Promise<LogoutReceiver> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const received: JWTPayload[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      try {
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        const { payload } = await jwtVerify(token, jwks, { issuer, audience: audience(), typ: 'logout+jwt', maxTokenAge: '2 minutes' });
        const events = payload.events as Record<string, unknown> | undefined;
        if (!events?.['http://schemas.openid.net/event/backchannel-logout'] || 'nonce' in payload) throw new Error('not a logout token');
        received.push(payload);
        res.writeHead(200).end();
      } catch (error) {
        rejected.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    received,
    rejected,
    async waitFor(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
