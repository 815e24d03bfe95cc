/** The Redis adapter (run when IDP_TEST_REDIS_URL is set; each test under its own prefix). */
import { describe, expect, it } from 'vitest';
import { testRedisUrl, useTestRedis } from '../../../test/helpers/test-redis.ts';
import { clock } from '../clock.ts';
import { RedisOidcAdapter, redisSessions } from './redis.ts';

describe.skipIf(!testRedisUrl)('Redis for short-lived state', () => {
  const redis = useTestRedis();

  it('stores sessions, finds them by uid and by account, consumes and destroys', async () => {
    const sessions = new RedisOidcAdapter('Session', redis.store());
    const exp = Math.floor(Date.now() / 1000) + 60;
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc_1', exp }, 60);
    await sessions.upsert('s2', { uid: 'u2', accountId: 'acc_1', exp }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc_1' });
    expect(await sessions.findByUid('u2')).toMatchObject({ accountId: 'acc_1' });
    expect((await redisSessions(redis.store()).list('acc_1')).map((s) => s.id).sort()).toEqual(['s1', 's2']);
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
    expect((await redisSessions(redis.store()).list('acc_1')).map((s) => s.id)).toEqual(['s2']);
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
});
