/**
 * The references of the bench: a bare oidc-provider with its in-memory adapter and an ES256 key, nothing
 * of ours. Run as its own process:
 *   node --import tsx test/bench/bare-provider.ts <port> <refresh tokens> [<password> <argon2 memory KiB> <iterations>]
 *
 * - Token endpoint: it seeds refresh tokens through the library's own models.
 * - Sign-in: the floor any IdP on this library has. A minimal interaction (plain HTML form with a
 *   CSRF value, no templates, no store) verifies the password against one argon2id hash made at the
 *   given parameters (every `bench-<n>@example.com` account shares it: the verification costs the same),
 *   and answers login and consent at once, as a first-party client needs no consent page.
 *
 * Prints one JSON line when ready: { url, client, refreshTokens }.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import argon2 from 'argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const refreshTokenCount = Number(process.argv[3] ?? 64);
const password = process.argv[4];
const argon2Params = { type: argon2.argon2id as 2, memoryCost: Number(process.argv[5] ?? 19456), timeCost: Number(process.argv[6] ?? 2), parallelism: 1 };
const client = { clientId: 'bench', clientSecret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz', redirectUri: 'http://127.0.0.1:9/callback' };

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' };

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const url = `http://localhost:${(server.address() as AddressInfo).port}`;

const provider = new Provider(url, {
  clients: [{
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: [client.redirectUri],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [jwk] } as never,
  cookies: { keys: ['bench-cookie-secret'] },
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  scopes: ['openid', 'offline_access', 'email'],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 3600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600, Session: 14 * 24 * 3600, Interaction: 1800 },
});

const hash = password ? await argon2.hash(password, argon2Params) : undefined;
const csrfKey = crypto.randomBytes(32);
const csrfOf = (uid: string) => crypto.createHmac('sha256', csrfKey).update(uid).digest('base64url');
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function page(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><title>Sign in</title></head><body>${body}</body></html>`);
}

const loginForm = (uid: string, error = '') => `${error ? `<p>${escapeHtml(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/login">`
  + `<input type="hidden" name="csrf" value="${csrfOf(uid)}"><input name="email" type="email"><input name="password" type="password"><button>Sign in</button></form>`;

async function interaction(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') return page(res, 200, loginForm(details.uid));
  const body = await readBody(req);
  const csrf = body.get('csrf') ?? '';
  const expected = csrfOf(details.uid);
  if (csrf.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(csrf), Buffer.from(expected))) return page(res, 403, 'Bad CSRF token');
  const email = body.get('email') ?? '';
  const ok = hash !== undefined && /^bench-\d+@example\.com$/.test(email) && await argon2.verify(hash, body.get('password') ?? '');
  if (!ok) return page(res, 401, loginForm(details.uid, 'Wrong email or password.'));
  // First-party client: consent is granted with the login, in the same round trip.
  const grant = new provider.Grant({ accountId: email, clientId: details.params.client_id as string });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: email }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (!req.url!.startsWith('/interaction/')) return void callback(req, res);
  interaction(req, res).catch((error: Error) => {
    if (!res.headersSent) page(res, 400, escapeHtml(error.message));
    else res.end();
  });
});

const registered = await provider.Client.find(client.clientId);
const refreshTokens: string[] = [];
for (let i = 0; i < refreshTokenCount; i++) {
  const grant = new provider.Grant({ accountId: `account-${i}`, clientId: client.clientId });
  grant.addOIDCScope('openid email offline_access');
  const grantId = await grant.save();
  const token = new provider.RefreshToken({
    client: registered!, accountId: `account-${i}`, grantId, scope: 'openid email offline_access', gty: 'authorization_code',
    authTime: Math.floor(Date.now() / 1000), claims: {}, rotations: 0,
  } as never);
  refreshTokens.push(await token.save());
}
process.stdout.write(`${JSON.stringify({ url, client, refreshTokens })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
