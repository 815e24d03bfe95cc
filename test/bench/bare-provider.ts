/**
 * The reference for the token endpoint: a bare oidc-provider with its in-memory adapter and an ES256
 * key, nothing of ours. Run as its own process: `node --import tsx test/bench/bare-provider.ts <port>`.
 * It seeds refresh tokens through the library's own models and prints one JSON line when ready:
 * { url, client, refreshTokens }.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const refreshTokenCount = Number(process.argv[3] ?? 64);
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
  scopes: ['openid', 'offline_access', 'email'],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 3600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600 },
});
server.on('request', provider.callback());

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
