/** CLI entry: `npm run database` with DB_* env. Prints what to register at the IdP. */
import { ConfigError, loadConfigFromEnv } from './config.ts';
import { startDatabaseApp } from './app.ts';
import { createIdpClient } from './idp-client.ts';

async function main() {
  let config: ReturnType<typeof loadConfigFromEnv>;
  try {
    config = loadConfigFromEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      console.error('\nExample: DB_NAME=Acme PORT=4000 DB_ISSUER=http://localhost:3000 DB_CLIENT_ID=acme DB_CLIENT_SECRET=... DB_DATA_DIR=./.data/acme npm run database');
      process.exit(2);
    }
    throw error;
  }
  const app = await startDatabaseApp(config);
  console.log(`${config.name} is running at ${app.url}`);
  console.log('Register this client at the IdP with:');
  console.log(`  redirect URI:                ${app.redirectUri}`);
  console.log(`  back-channel logout URI:     ${app.backchannelLogoutUri}  (session required)`);
  console.log(`  post-logout redirect URI:    ${app.postLogoutRedirectUri}`);

  // Warn early (without failing) when the IdP cannot be discovered yet.
  createIdpClient({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: app.redirectUri,
    postLogoutRedirectUri: app.postLogoutRedirectUri,
    introspectionCacheSeconds: 0,
    negativeCacheSeconds: 0,
  })
    .discover()
    .then((metadata) => console.log(`IdP discovered: ${metadata.issuer}`))
    .catch(() => console.warn(`Warning: ${config.issuer}/.well-known/openid-configuration is not reachable yet; sign-in will retry.`));

  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
