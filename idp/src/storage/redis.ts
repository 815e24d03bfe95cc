/**
 * Optional Redis for short-lived state (IDP_REDIS_URL): oidc-provider's sessions, interactions,
 * authorization codes and other one-shot artifacts, and rate-limit counters. Durable records (accounts,
 * grants, refresh and access tokens, clients, keys) stay in the SQL store.
 *
 * Keys (all under IDP_REDIS_PREFIX, default `latchkey:`); <h(x)> is the base64url SHA-256 of x, so no
 * key or value is a bearer value (the invariants of oidc-adapter.ts hold here too: payloads carry no jti):
 *   oidc:<Model>:<h(id)>           the payload (JSON), expiring with the artifact
 *   oidc:<Model>:uid:<uid>         → h(id) (sessions are found by uid); oidc:<Model>:code:<h(userCode)> → h(id)
 *   oidc:grant:<grantId>           set of payload keys issued under a grant (revokeByGrantId)
 *   account-sessions:<accountId>   set of h(session id) (list / end every session of an account)
 *   oidc:ids-hashed                set once the keys of an earlier version (clear ids) were swept
 *   rl:<key>                       fixed-window counter: hash { s: window start, c: count }
 *                                  (security/redis-rate-limiter.ts)
 * Expiry is Redis's TTL, and a payload past its `expiresAt` (written beside it on the IdP's clock, as the
 * SQL store's expires_at; `exp` for keys written without it) is treated as gone too, so tests that move
 * the IdP clock see the same expiry on Redis as on SQL (oidc-provider's own `exp` follows the system clock).
 */
import type { Redis } from 'ioredis';
import { GuardedRedis } from './circuit-breaker.ts';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { nowSeconds } from '../clock.ts';
import { hashId, payloadFromStore, payloadToStore } from './oidc-adapter.ts';

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

  /** The payload key of a stored (hashed) id. */
  #key(storedId: string): string {
    return `${this.#store.prefix}oidc:${this.#model}:${storedId}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const { redis, prefix } = this.#store;
    const storedId = hashId(id);
    const key = this.#key(storedId);
    const multi = redis.multi();
    const ttl = expiresIn > 0 ? Math.ceil(expiresIn) : 0;
    const set = (k: string, v: string) => (ttl ? multi.set(k, v, 'EX', ttl) : multi.set(k, v));
    const stored: StoredPayload = { ...payloadToStore(this.#model, id, payload, undefined), ...(ttl ? { expiresAt: nowSeconds() + ttl } : {}) };
    set(key, JSON.stringify(stored));
    if (payload.uid) set(`${prefix}oidc:${this.#model}:uid:${payload.uid}`, storedId);
    if (payload.userCode) set(`${prefix}oidc:${this.#model}:code:${hashId(payload.userCode)}`, storedId);
    if (payload.grantId) {
      const grant = `${prefix}oidc:grant:${payload.grantId}`;
      multi.sadd(grant, key);
      multi.expire(grant, Math.max(ttl, 3600));
    }
    if (this.#model === 'Session' && payload.accountId) {
      const index = `${prefix}account-sessions:${payload.accountId}`;
      multi.sadd(index, storedId);
      multi.expire(index, INDEX_TTL_SECONDS);
    }
    await multi.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const payload = read(await this.#store.redis.get(this.#key(hashId(id))));
    return payload && payloadFromStore(this.#model, id, payload, undefined);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const storedId = await this.#store.redis.get(`${this.#store.prefix}oidc:${this.#model}:uid:${uid}`);
    return storedId ? read(await this.#store.redis.get(this.#key(storedId))) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const storedId = await this.#store.redis.get(`${this.#store.prefix}oidc:${this.#model}:code:${hashId(userCode)}`);
    const payload = storedId ? read(await this.#store.redis.get(this.#key(storedId))) : undefined;
    if (payload) payload.userCode = userCode;
    return payload;
  }

  async consume(id: string): Promise<void> {
    const key = this.#key(hashId(id));
    const raw = await this.#store.redis.get(key);
    if (!raw) return;
    const payload = JSON.parse(raw) as AdapterPayload;
    payload.consumed = nowSeconds();
    await this.#store.redis.set(key, JSON.stringify(payload), 'KEEPTTL');
  }

  async destroy(id: string): Promise<void> {
    await this.destroyStored(hashId(id));
  }

  /** Destroys by the stored (hashed) id, as the per-account session index lists them. */
  async destroyStored(storedId: string): Promise<void> {
    const key = this.#key(storedId);
    const raw = await this.#store.redis.get(key);
    const multi = this.#store.redis.multi().del(key);
    const payload = raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
    if (payload?.uid) multi.del(`${this.#store.prefix}oidc:${this.#model}:uid:${payload.uid}`);
    if (this.#model === 'Session' && payload?.accountId) multi.srem(`${this.#store.prefix}account-sessions:${payload.accountId}`, storedId);
    await multi.exec();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grant = `${this.#store.prefix}oidc:grant:${grantId}`;
    const keys = await this.#store.redis.smembers(grant);
    await this.#store.redis.del(grant, ...keys);
  }
}

/**
 * The one-time sweep of keys written by an earlier version (clear ids, payloads with their `jti`): each
 * such payload moves to its hashed key with the same expiry, and the uid, user code, grant and account
 * indexes follow. Only a payload whose `jti` is its key's id is moved and only an index entry whose
 * clear key still exists is rewritten, so running it twice, or beside serving processes, does no harm.
 * Returns how many payloads moved.
 */
export async function sweepClearRedisIds(store: ShortLivedStore): Promise<number> {
  const { redis, prefix } = store;
  const done = `${prefix}oidc:ids-hashed`;
  if (await redis.exists(done)) return 0;
  let moved = 0;
  for (const model of SHORT_LIVED_MODELS) {
    const base = `${prefix}oidc:${model}:`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const id = key.slice(base.length);
        if (id.startsWith('uid:') || id.startsWith('code:')) continue;
        const raw = await redis.get(key);
        const payload = raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
        if (!payload || payload.jti !== id) continue;
        const ttl = await redis.pttl(key);
        const storedId = hashId(id);
        const newKey = `${base}${storedId}`;
        const multi = redis.multi();
        const set = (k: string, v: string) => (ttl > 0 ? multi.set(k, v, 'PX', ttl) : multi.set(k, v));
        set(newKey, JSON.stringify(payloadToStore(model, id, payload, undefined)));
        if (payload.uid) multi.set(`${base}uid:${payload.uid}`, storedId, 'KEEPTTL');
        if (payload.userCode) {
          multi.del(`${base}code:${payload.userCode}`);
          set(`${base}code:${hashId(payload.userCode)}`, storedId);
        }
        if (payload.grantId) multi.srem(`${prefix}oidc:grant:${payload.grantId}`, key).sadd(`${prefix}oidc:grant:${payload.grantId}`, newKey);
        if (model === 'Session' && payload.accountId) {
          multi.srem(`${prefix}account-sessions:${payload.accountId}`, id).sadd(`${prefix}account-sessions:${payload.accountId}`, storedId);
        }
        multi.del(key);
        await multi.exec();
        moved += 1;
      }
    } while (cursor !== '0');
  }
  await redis.set(done, String(nowSeconds()));
  return moved;
}

/** A payload as kept in Redis: with its expiry on the IdP clock. */
type StoredPayload = AdapterPayload & { expiresAt?: number };

function read(raw: string | null): AdapterPayload | undefined {
  if (!raw) return undefined;
  const { expiresAt, ...payload } = JSON.parse(raw) as StoredPayload;
  const until = expiresAt ?? payload.exp;
  if (typeof until === 'number' && until <= nowSeconds()) return undefined;
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
      const raws = await store.redis.mget(ids.map(sessionKey)); // ids are stored (hashed) ids
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
    /** `id`: a stored id, as `list` gives it. */
    async delete(id: string): Promise<void> {
      await adapter.destroyStored(id);
    },
    async deleteAll(accountId: string): Promise<void> {
      const ids = await store.redis.smembers(index(accountId));
      for (const id of ids) await adapter.destroyStored(id);
      // Only the ids destroyed here: a session created meanwhile must stay listed (and revocable).
      if (ids.length) await store.redis.srem(index(accountId), ...ids);
    },
  };
}
