import { createTestDatabase } from './helpers/postgres.ts';
import { openStore } from '../idp/src/storage/store.ts';
import { ensureSigningKeys, loadJwks, keysVersion, rotateSigningKeys } from '../idp/src/storage/server-settings.ts';
import { rateLimiter } from '../idp/src/security/rate-limiter.ts';
const t = await createTestDatabase('postgres://postgres@127.0.0.1:5432/test');
try {
  const db = await openStore({ databaseUrl: t.url });
  console.log('migrated', await db.migrate());
  await ensureSigningKeys(db);
  console.log((await loadJwks(db)).keys.length, await keysVersion(db));
  await rotateSigningKeys(db);
  console.log((await loadJwks(db)).keys.length, await keysVersion(db));
  const rl = rateLimiter(db);
  console.log(await rl.hit('k', { max: 3, windowSeconds: 60 }), await rl.hit('k', { max: 3, windowSeconds: 60 }), await rl.retryAfter('k', { max: 2, windowSeconds: 60 }));
  console.log(await db.get('SELECT count(*) AS n FROM accounts'));
  await db.close();
} finally { await t.drop(); }
