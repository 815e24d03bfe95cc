/** The oidc-provider storage contract on a real store (a SQLite file, or PostgreSQL in the unit-postgres project). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { StoreOidcAdapter, purgeExpiredOidcModels } from './oidc-adapter.ts';
import type { Store } from './store.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';

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
    const sessions = new StoreOidcAdapter('Session', db);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc_1', jti: 's1' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc_1' });
    expect(await sessions.findByUid('u1')).toMatchObject({ jti: 's1' });
    expect(await new StoreOidcAdapter('Grant', db).find('s1')).toBeUndefined();

    const codes = new StoreOidcAdapter('DeviceCode', db);
    await codes.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60);
    expect(await codes.findByUserCode('ABCD-EFGH')).toMatchObject({ grantId: 'g1' });
    await codes.consume('d1');
    expect((await codes.find('d1'))!.consumed).toBeTypeOf('number');
    await codes.destroy('d1');
    expect(await codes.find('d1')).toBeUndefined();
  });

  it('revokes everything of a grant', async () => {
    const at = new StoreOidcAdapter('AccessToken', db);
    const rt = new StoreOidcAdapter('RefreshToken', db);
    await at.upsert('a1', { grantId: 'g1' }, 60);
    await rt.upsert('r1', { grantId: 'g1' }, 60);
    await at.upsert('a2', { grantId: 'g2' }, 60);
    await at.revokeByGrantId('g1');
    expect(await at.find('a1')).toBeUndefined();
    expect(await rt.find('r1')).toBeUndefined();
    expect(await at.find('a2')).toBeDefined();
  });

  it('hides expired rows and purges them', async () => {
    const at = new StoreOidcAdapter('AccessToken', db);
    await at.upsert('a1', { grantId: 'g1' }, 10);
    await at.upsert('forever', { kind: 'Client' }, 0);
    clock.offsetMs = 11_000;
    expect(await at.find('a1')).toBeUndefined();
    expect(await at.find('forever')).toBeDefined();
    expect(await purgeExpiredOidcModels(db)).toBe(1);
  });
});
