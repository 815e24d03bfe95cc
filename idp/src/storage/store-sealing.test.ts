/**
 * The start-up step after migration 10 on a store written by an earlier version (clear signing keys,
 * cookie keys, CSRF secret, client secret; rows keyed by clear ids): one run re-keys and seals it all,
 * processes starting together do it once, and a done store is left alone. SQLite, and PostgreSQL in the
 * unit-postgres project.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';
import { StoreOidcAdapter } from './oidc-adapter.ts';
import { secretBox } from './secret-box.ts';
import { cookieSecrets, csrfSecret, loadJwks } from './server-settings.ts';
import { sealStore } from './store-sealing.ts';

const box = secretBox(crypto.randomBytes(32));
let testStore: TestStore;
beforeEach(async () => {
  testStore = await openTestStore();
});
afterEach(async () => {
  await testStore.dispose();
});

async function writeAsEarlierVersion(): Promise<void> {
  const db = testStore.store;
  await db.run("INSERT INTO server_settings (name, value) VALUES ('oidc_ids', 'clear')"); // what migration 10 writes on such a store
  await db.run("INSERT INTO server_settings (name, value) VALUES ('cookie_secrets', ?), ('csrf_secret', 'clear-csrf-secret-value')", [JSON.stringify(['clear-cookie-key-value'])]);
  await db.run("INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES ('k1', 'ES256', ?, 1)",
    [JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'clear-private-d-value', kid: 'k1', alg: 'ES256' })]);
  await db.run("INSERT INTO oidc_models (model, id, payload, grant_id, account_id) VALUES ('AccessToken', 'clear-access-token', ?, 'g1', 'acc_1')",
    [JSON.stringify({ jti: 'clear-access-token', grantId: 'g1', accountId: 'acc_1', kind: 'AccessToken' })]);
  await db.run("INSERT INTO oidc_models (model, id, payload) VALUES ('Client', 'db-1', ?)", [JSON.stringify({ client_id: 'db-1', client_secret: 'clear-client-secret' })]);
}

describe('sealStore', () => {
  it('re-keys and seals an earlier store once, even with processes starting together', async () => {
    const db = testStore.store;
    // A fresh store has no marker (migration 10 marks only a store with data) and nothing to do.
    expect(await db.get("SELECT value FROM server_settings WHERE name = 'oidc_ids'")).toBeUndefined();
    expect(await sealStore(db, box)).toEqual({ rekeyed: 0, sealed: 0, swept: 0 });
    await writeAsEarlierVersion();
    const reports = await Promise.all([sealStore(db, box), sealStore(db, box), sealStore(db, box)]);
    expect(reports.map((r) => r.rekeyed).reduce((a, b) => a + b)).toBe(1);
    expect(reports.map((r) => r.sealed).reduce((a, b) => a + b)).toBe(4);
    expect(await sealStore(db, box)).toEqual({ rekeyed: 0, sealed: 0, swept: 0 });

    const everything = JSON.stringify([await db.all('SELECT * FROM server_settings'), await db.all('SELECT * FROM signing_keys'), await db.all('SELECT * FROM oidc_models')]);
    for (const value of ['clear-cookie-key-value', 'clear-csrf-secret-value', 'clear-private-d-value', 'clear-access-token', 'clear-client-secret']) {
      expect(everything).not.toContain(value);
    }
    expect(await cookieSecrets(db, box)).toEqual(['clear-cookie-key-value']);
    expect(await csrfSecret(db, box)).toBe('clear-csrf-secret-value');
    expect((await loadJwks(db, box)).keys[0]).toMatchObject({ d: 'clear-private-d-value' });
    expect(await new StoreOidcAdapter('AccessToken', db, box).find('clear-access-token')).toMatchObject({ jti: 'clear-access-token', grantId: 'g1' });
    expect(await new StoreOidcAdapter('Client', db, box).find('db-1')).toMatchObject({ client_secret: 'clear-client-secret' });
  });
});
