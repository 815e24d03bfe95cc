/** The oidc-provider storage contract on a real store (a SQLite file, or PostgreSQL in the unit-postgres project). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import crypto from 'node:crypto';
import { StoreOidcAdapter, flushGroupCommits, hashId, purgeExpiredOidcModels, rekeyOidcRows, sealClientSecrets } from './oidc-adapter.ts';
import { secretBox } from './secret-box.ts';
import type { Store } from './store.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';

const box = secretBox(crypto.randomBytes(32));
let testStore: TestStore;
let db: Store;
beforeEach(async () => {
  testStore = await openTestStore();
  db = testStore.store;
});
afterEach(async () => {
  clock.offsetMs = 0;
  await testStore.dispose();
});

describe('StoreOidcAdapter', () => {
  it('stores, finds by id, uid and user code, consumes and destroys', async () => {
    const sessions = new StoreOidcAdapter('Session', db, box);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc_1', jti: 's1' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc_1' });
    // Found by uid, a session carries no id: the row does not hold it (only its hash, as the row key).
    expect(await sessions.findByUid('u1')).toMatchObject({ uid: 'u1', accountId: 'acc_1' });
    expect((await sessions.find('s1'))!.jti).toBe('s1');
    expect(await new StoreOidcAdapter('Grant', db, box).find('s1')).toBeUndefined();

    const codes = new StoreOidcAdapter('DeviceCode', db, box);
    await codes.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60);
    expect(await codes.findByUserCode('ABCD-EFGH')).toMatchObject({ grantId: 'g1' });
    await codes.consume('d1');
    expect((await codes.find('d1'))!.consumed).toBeTypeOf('number');
    await codes.destroy('d1');
    expect(await codes.find('d1')).toBeUndefined();
  });

  // PostgreSQL writes are not queued: there is nothing to flush.
  it.skipIf(process.env.IDP_TEST_STORE === 'postgres')('commits the writes queued for the next SQLite group commit when flushed (shutdown)', async () => {
    const sessions = new StoreOidcAdapter('Session', db, box);
    const written = Promise.all([sessions.upsert('s1', { uid: 'u1', jti: 's1' }, 60), sessions.upsert('s2', { uid: 'u2', jti: 's2' }, 60)]);
    const rows = () => db.all("SELECT id FROM oidc_models WHERE model = 'Session'");
    expect(await rows(), 'queued, not committed yet').toHaveLength(0);
    await flushGroupCommits(db);
    expect(await rows()).toHaveLength(2);
    await written;
    await flushGroupCommits(db); // nothing queued: returns at once
  });

  it('revokes everything of a grant', async () => {
    const at = new StoreOidcAdapter('AccessToken', db, box);
    const rt = new StoreOidcAdapter('RefreshToken', db, box);
    await at.upsert('a1', { grantId: 'g1' }, 60);
    await rt.upsert('r1', { grantId: 'g1' }, 60);
    await at.upsert('a2', { grantId: 'g2' }, 60);
    await at.revokeByGrantId('g1');
    expect(await at.find('a1')).toBeUndefined();
    expect(await rt.find('r1')).toBeUndefined();
    expect(await at.find('a2')).toBeDefined();
  });

  it('hides expired rows and purges them', async () => {
    const at = new StoreOidcAdapter('AccessToken', db, box);
    await at.upsert('a1', { grantId: 'g1' }, 10);
    await at.upsert('forever', { kind: 'Client' }, 0);
    clock.offsetMs = 11_000;
    expect(await at.find('a1')).toBeUndefined();
    expect(await at.find('forever')).toBeDefined();
    expect(await purgeExpiredOidcModels(db)).toBe(1);
  });

  it('keys bearer artifacts by a hash of the id and stores no copy of a bearer value (issue 13)', async () => {
    const tokens = new StoreOidcAdapter('AccessToken', db, box);
    await tokens.upsert('at-secret-value', { jti: 'at-secret-value', grantId: 'g1', accountId: 'acc_1', kind: 'AccessToken' }, 60);
    const interactions = new StoreOidcAdapter('Interaction', db, box);
    await interactions.upsert('int-id', { jti: 'int-id', session: { uid: 'u1', cookie: 'session-cookie-value', accountId: 'acc_1' } } as never, 60);
    const codes = new StoreOidcAdapter('DeviceCode', db, box);
    await codes.upsert('dc-id', { jti: 'dc-id', userCode: 'WXYZ-QRST' }, 60);
    const grants = new StoreOidcAdapter('Grant', db, box);
    await grants.upsert('grant-1', { jti: 'grant-1', accountId: 'acc_1' }, 60);
    const rows = await db.all<{ model: string; id: string; payload: string; user_code: string | null }>('SELECT model, id, payload, user_code FROM oidc_models');
    const dump = JSON.stringify(rows);
    for (const bearer of ['at-secret-value', 'session-cookie-value', 'int-id', 'dc-id', 'WXYZ-QRST']) expect(dump).not.toContain(bearer);
    expect(rows.find((r) => r.model === 'AccessToken')!.id).toBe(hashId('at-secret-value'));
    expect(rows.find((r) => r.model === 'Grant')!.id).toBe('grant-1'); // not a secret: kept readable
    // oidc-provider gets back what it stored, the id included.
    expect(await tokens.find('at-secret-value')).toMatchObject({ jti: 'at-secret-value', grantId: 'g1' });
    expect(await tokens.find(hashId('at-secret-value'))).toBeUndefined(); // the row key is not the token
    expect(await interactions.find('int-id')).toMatchObject({ jti: 'int-id', session: { uid: 'u1', accountId: 'acc_1' } });
    expect(await codes.findByUserCode('WXYZ-QRST')).toMatchObject({ userCode: 'WXYZ-QRST' });
  });

  it('seals client secrets in the Client payload and opens them on find', async () => {
    const clients = new StoreOidcAdapter('Client', db, box);
    await clients.upsert('db-1', { client_id: 'db-1', client_secret: 'the-client-secret', redirect_uris: [] }, 0);
    const row = await db.get<{ payload: string }>("SELECT payload FROM oidc_models WHERE model = 'Client' AND id = 'db-1'");
    expect(row!.payload).not.toContain('the-client-secret');
    expect(JSON.parse(row!.payload).client_secret).toMatch(/^v2\./);
    expect(await clients.find('db-1')).toMatchObject({ client_secret: 'the-client-secret' });
    expect(await new StoreOidcAdapter('Client', db, secretBox(crypto.randomBytes(32))).find('db-1').catch((e: Error) => e.message)).toMatch(/does not open/);
  });

  it('re-keys rows and seals client secrets written by an earlier version, once', async () => {
    await db.run("INSERT INTO oidc_models (model, id, payload, uid, account_id) VALUES ('Session', 'old-sess', ?, 'u9', 'acc_9')",
      [JSON.stringify({ jti: 'old-sess', uid: 'u9', accountId: 'acc_9', kind: 'Session' })]);
    await db.run("INSERT INTO oidc_models (model, id, payload) VALUES ('Client', 'old-client', ?)", [JSON.stringify({ client_id: 'old-client', client_secret: 'clear-secret' })]);
    expect(await rekeyOidcRows(db, box)).toBe(1);
    expect(await sealClientSecrets(db, box, 'clear')).toBe(1);
    expect(await rekeyOidcRows(db, box)).toBe(0);
    expect(await sealClientSecrets(db, box, 'clear')).toBe(0);
    expect(JSON.stringify(await db.all('SELECT id, payload FROM oidc_models'))).not.toMatch(/old-sess|clear-secret/);
    expect(await new StoreOidcAdapter('Session', db, box).find('old-sess')).toMatchObject({ jti: 'old-sess', uid: 'u9' });
    expect(await new StoreOidcAdapter('Client', db, box).find('old-client')).toMatchObject({ client_secret: 'clear-secret' });
  });
});
