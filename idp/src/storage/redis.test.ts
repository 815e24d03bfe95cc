/** The Redis adapter (run when IDP_TEST_REDIS_URL is set; each test under its own prefix). */
import { describe, expect, it } from 'vitest';
import { testRedisUrl, useTestRedis } from '../../../test/helpers/test-redis.ts';
import { clock } from '../clock.ts';
import { hashId } from './oidc-adapter.ts';
import { RedisOidcAdapter, redisSessions, sweepClearRedisIds } from './redis.ts';

describe.skipIf(!testRedisUrl)('Redis for short-lived state', () => {
  const redis = useTestRedis();

  it('stores sessions, finds them by uid and by account, consumes and destroys', async () => {
    const sessions = new RedisOidcAdapter('Session', redis.store());
    const exp = Math.floor(Date.now() / 1000) + 60;
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc_1', exp }, 60);
    await sessions.upsert('s2', { uid: 'u2', accountId: 'acc_1', exp }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc_1' });
    expect(await sessions.findByUid('u2')).toMatchObject({ accountId: 'acc_1' });
    // Listed by their stored ids (hashes): nothing in Redis is a session cookie value.
    expect((await redisSessions(redis.store()).list('acc_1')).map((s) => s.id).sort()).toEqual([hashId('s1'), hashId('s2')].sort());
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
    expect((await redisSessions(redis.store()).list('acc_1')).map((s) => s.id)).toEqual([hashId('s2')]);
    await redisSessions(redis.store()).deleteAll('acc_1');
    expect(await sessions.findByUid('u2')).toBeUndefined();

    const codes = new RedisOidcAdapter('AuthorizationCode', redis.store());
    await codes.upsert('c1', { grantId: 'g1', exp }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))!.consumed).toBeTypeOf('number');
    await codes.revokeByGrantId('g1');
    expect(await codes.find('c1')).toBeUndefined();
  });

  it('hides a payload whose exp passed on the IdP clock', async () => {
    const interactions = new RedisOidcAdapter('Interaction', redis.store());
    await interactions.upsert('i1', { exp: Math.floor(Date.now() / 1000) + 10 }, 10);
    clock.offsetMs = 11_000;
    expect(await interactions.find('i1')).toBeUndefined();
  });

  it('keeps no bearer value in a key or value, and sweeps the keys of an earlier version once', async () => {
    const store = redis.store();
    const exp = Math.floor(Date.now() / 1000) + 60;
    await new RedisOidcAdapter('Session', store).upsert('new-session-id', { jti: 'new-session-id', uid: 'u7', accountId: 'acc_7', exp }, 60);
    // As an earlier version wrote them: clear id in the key, the id in the payload and in the indexes.
    const p = store.prefix;
    await store.redis.set(`${p}oidc:Session:old-session-id`, JSON.stringify({ jti: 'old-session-id', uid: 'u8', accountId: 'acc_7', exp }), 'EX', 60);
    await store.redis.set(`${p}oidc:Session:uid:u8`, 'old-session-id', 'EX', 60);
    await store.redis.sadd(`${p}account-sessions:acc_7`, 'old-session-id');
    await store.redis.set(`${p}oidc:AuthorizationCode:old-code`, JSON.stringify({ jti: 'old-code', grantId: 'g8', exp }), 'EX', 60);
    await store.redis.sadd(`${p}oidc:grant:g8`, `${p}oidc:AuthorizationCode:old-code`);

    expect(await sweepClearRedisIds(store)).toBe(2);
    expect(await sweepClearRedisIds(store)).toBe(0);
    const dump: string[] = [];
    for (const key of await store.redis.keys(`${p}*`)) {
      const type = await store.redis.type(key);
      dump.push(key, type === 'set' ? (await store.redis.smembers(key)).join(' ') : String(await store.redis.get(key)));
    }
    for (const bearer of ['new-session-id', 'old-session-id', 'old-code']) expect(dump.join('\n')).not.toContain(bearer);
    const sessions = new RedisOidcAdapter('Session', store);
    expect(await sessions.find('old-session-id')).toMatchObject({ jti: 'old-session-id', uid: 'u8' });
    expect(await sessions.findByUid('u8')).toMatchObject({ accountId: 'acc_7' });
    expect(await store.redis.ttl(`${p}oidc:Session:${hashId('old-session-id')}`)).toBeGreaterThan(0);
    expect((await redisSessions(store).list('acc_7')).map((s) => s.id).sort()).toEqual([hashId('new-session-id'), hashId('old-session-id')].sort());
    const codes = new RedisOidcAdapter('AuthorizationCode', store);
    expect(await codes.find('old-code')).toMatchObject({ grantId: 'g8' });
    await codes.revokeByGrantId('g8');
    expect(await codes.find('old-code')).toBeUndefined();
    await redisSessions(store).deleteAll('acc_7');
    expect(await sessions.find('old-session-id')).toBeUndefined();
    expect(await sessions.find('new-session-id')).toBeUndefined();
  });
});
