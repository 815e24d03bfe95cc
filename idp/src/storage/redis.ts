/**
 * Optional Redis for short-lived state (IDP_REDIS_URL): oidc-provider's sessions, interactions,
 * authorization codes and other one-shot artifacts, and rate-limit counters. Durable records (accounts,
 * grants, refresh and access tokens, clients, keys) stay in the SQL store.
 *
 * Keys (all under IDP_REDIS_PREFIX, default `latchkey:`):
 *   oidc:<Model>:<id>              the payload (JSON), expiring with the artifact
 *   oidc:<Model>:uid:<uid>         → id (sessions are found by uid);  oidc:<Model>:code:<userCode> → id
 *   oidc:grant:<grantId>           set of payload keys issued under a grant (revokeByGrantId)
 *   account-sessions:<accountId>   set of session ids (list / end every session of an account)
 *   rl:<key>                       fixed-window counter: hash { s: window start, c: count }
 *                                  (security/redis-rate-limiter.ts)
 * Expiry is Redis's TTL, and a payload whose `exp` passed (by the IdP's clock) is treated as gone too.
 */
import type { Redis } from 'ioredis';
import { GuardedRedis } from './circuit-breaker.ts';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { nowSeconds } from '../clock.ts';

/** oidc-provider models kept in Redis when it is configured. */
export const SHORT_LIVED_MODELS = new Set([
  'Session', 'Interaction', 'AuthorizationCode', 'PushedAuthorizationRequest', 'ReplayDetection', 'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** How long the per-account session index lives past its last write (longer than any session). */
const INDEX_TTL_SECONDS = 15 * 24 * 3600;

export interface ShortLivedStore {
  redis: Redis;
  prefix: string;
  close(): Promise<void>;
}

/**
 * `timeoutMs` (IDP_REDIS_TIMEOUT_MS) bounds connecting and every command: with Redis down or
 * partitioned a command fails within it (and the request answers 503, see errors.ts) instead of
 * waiting for the reconnects. A command queued while reconnecting is given one retry at most.
 */
export function openRedis(url: string, prefix = 'latchkey:', options: { timeoutMs?: number } = {}): ShortLivedStore {
  const timeoutMs = options.timeoutMs ?? 1000;
  // GuardedRedis: ioredis with a circuit breaker on its single commands (circuit-breaker.ts).
  const redis = new GuardedRedis(url, {
    lazyConnect: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    keepAlive: 10_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Reconnects are automatic; a broken connection fails the requests that need it, not the process.
  redis.on('error', () => {});
  return {
    redis,
    prefix,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export class RedisOidcAdapter implements Adapter {
  readonly #model: string;
  readonly #store: ShortLivedStore;

  constructor(model: string, store: ShortLivedStore) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#store.prefix}oidc:${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const { redis, prefix } = this.#store;
    const key = this.#key(id);
    const multi = redis.multi();
    const ttl = expiresIn > 0 ? Math.ceil(expiresIn) : 0;
    const set = (k: string, v: string) => (ttl ? multi.set(k, v, 'EX', ttl) : multi.set(k, v));
    set(key, JSON.stringify(payload));
    if (payload.uid) set(`${prefix}oidc:${this.#model}:uid:${payload.uid}`, id);
    if (payload.userCode) set(`${prefix}oidc:${this.#model}:code:${payload.userCode}`, id);
    if (payload.grantId) {
      const grant = `${prefix}oidc:grant:${payload.grantId}`;
      multi.sadd(grant, key);
      multi.expire(grant, Math.max(ttl, 3600));
    }
    if (this.#model === 'Session' && payload.accountId) {
      const index = `${prefix}account-sessions:${payload.accountId}`;
      multi.sadd(index, id);
      multi.expire(index, INDEX_TTL_SECONDS);
    }
    await multi.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return read(await this.#store.redis.get(this.#key(id)));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.#store.redis.get(`${this.#store.prefix}oidc:${this.#model}:uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.#store.redis.get(`${this.#store.prefix}oidc:${this.#model}:code:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const key = this.#key(id);
    const raw = await this.#store.redis.get(key);
    if (!raw) return;
    const payload = JSON.parse(raw) as AdapterPayload;
    payload.consumed = nowSeconds();
    await this.#store.redis.set(key, JSON.stringify(payload), 'KEEPTTL');
  }

  async destroy(id: string): Promise<void> {
    const key = this.#key(id);
    const raw = await this.#store.redis.get(key);
    const multi = this.#store.redis.multi().del(key);
    const payload = raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
    if (payload?.uid) multi.del(`${this.#store.prefix}oidc:${this.#model}:uid:${payload.uid}`);
    if (this.#model === 'Session' && payload?.accountId) multi.srem(`${this.#store.prefix}account-sessions:${payload.accountId}`, id);
    await multi.exec();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grant = `${this.#store.prefix}oidc:grant:${grantId}`;
    const keys = await this.#store.redis.smembers(grant);
    await this.#store.redis.del(grant, ...keys);
  }
}

function read(raw: string | null): AdapterPayload | undefined {
  if (!raw) return undefined;
  const payload = JSON.parse(raw) as AdapterPayload;
  if (typeof payload.exp === 'number' && payload.exp <= nowSeconds()) return undefined;
  return payload;
}

/** The sessions of an account kept in Redis (for the devices list and "log out everywhere"). */
export function redisSessions(store: ShortLivedStore) {
  const sessionKey = (id: string) => `${store.prefix}oidc:Session:${id}`;
  const index = (accountId: string) => `${store.prefix}account-sessions:${accountId}`;
  const adapter = new RedisOidcAdapter('Session', store);
  return {
    async list(accountId: string): Promise<{ id: string; payload: AdapterPayload }[]> {
      const ids = await store.redis.smembers(index(accountId));
      if (ids.length === 0) return [];
      const raws = await store.redis.mget(ids.map(sessionKey));
      const live: { id: string; payload: AdapterPayload }[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const payload = read(raws[i] ?? null);
        if (payload && payload.accountId === accountId) live.push({ id, payload });
        else gone.push(id);
      });
      if (gone.length) await store.redis.srem(index(accountId), ...gone);
      return live;
    },
    async delete(id: string): Promise<void> {
      await adapter.destroy(id);
    },
    async deleteAll(accountId: string): Promise<void> {
      const ids = await store.redis.smembers(index(accountId));
      for (const id of ids) await adapter.destroy(id);
      // Only the ids destroyed here: a session created meanwhile must stay listed (and revocable).
      if (ids.length) await store.redis.srem(index(accountId), ...ids);
    },
  };
}
