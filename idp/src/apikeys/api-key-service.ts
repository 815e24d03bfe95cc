/**
 * Developer mode and API keys: create, list, rotate, revoke, and check a presented key (for a
 * database's token introspection and for the account API). Pure domain logic over the repository;
 * never sees an HTTP context. See types.ts for the invariants.
 *
 * A key looks like `lk_<10 base32 chars>_<43 base64url chars>`: the `lk_` prefix and fixed shape let
 * secret scanners find leaked keys, the first part is the visible id shown in lists and used for
 * lookup, the rest carries 256 random bits.
 */
import type { ApiKeySummary } from '../../../shared/account-api.ts';
import { confirmFirst } from '../accounts/account-service.ts';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { randomId, randomToken, safeEqual, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { ApiKeyRepository } from './api-key-repository.ts';
import {
  API_KEY_DURATIONS, LAST_USED_WRITE_INTERVAL_SECONDS, MAX_LIVE_KEYS_PER_ACCOUNT,
  type ApiKey, type ApiKeyIntrospection, type MembershipDirectory, type NewApiKeyInput, type RotationGrace,
} from './types.ts';

export const API_KEY_PREFIX = 'lk_';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY_PATTERN = /^(lk_[a-z2-7]{10})_([A-Za-z0-9_-]{43})$/;

/** A fresh key: the full secret (shown once), its visible id and the digest to store. */
export function generateApiKey(): { secret: string; visibleId: string; hash: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const visibleId = API_KEY_PREFIX + [...bytes].map((b) => BASE32[b & 31]).join('');
  const secret = `${visibleId}_${randomToken(32)}`;
  return { secret, visibleId, hash: sha256(secret) };
}

/** The visible id of a well-formed key, or undefined for anything else. */
export function parseApiKey(token: string): { visibleId: string } | undefined {
  const match = KEY_PATTERN.exec(token);
  return match ? { visibleId: match[1]! } : undefined;
}

export function looksLikeApiKey(token: unknown): token is string {
  return typeof token === 'string' && token.startsWith(API_KEY_PREFIX);
}

export interface ApiKeyServiceDeps {
  repo: ApiKeyRepository;
  memberships: MembershipDirectory;
  accounts: { findById(id: string): Promise<Account | undefined> };
  audit: AuditRepository;
  outbox: Outbox;
  issuer: () => string;
  /** Told when a key is used from another IP than its last one (the activity notes first uses from new IPs). */
  onUseFromNewIp?: (key: ApiKey, ip: string, clientId?: string) => Promise<void>;
}

export interface Actor {
  /** Account id, or 'operator'. */
  actor: string;
  ip?: string | null;
  /** Why support acted (operator commands require it); shown in the person's activity. */
  reason?: string;
}

const iso = (s: number) => new Date(s * 1000).toISOString();

export function apiKeyService(deps: ApiKeyServiceDeps) {
  const { repo, memberships, audit } = deps;
  const { outbox } = deps;

  async function requireDeveloperMode(accountId: string): Promise<void> {
    if (await repo.developerModeSince(accountId) === undefined) {
      throw new AppError('forbidden', 'Turn on developer mode first to manage API keys.');
    }
  }

  /** Developer mode and new keys need a confirmed address; the operator (CLI) is trusted. */
  async function requireConfirmed(accountId: string, by: Actor): Promise<void> {
    if (by.actor === 'operator') return;
    const account = await deps.accounts.findById(accountId);
    if (account && !account.emailVerifiedAt) throw confirmFirst(account.email);
  }

  async function findLive(accountId: string, keyId: string): Promise<ApiKey> {
    const key = await repo.findForAccount(accountId, keyId);
    if (!key || key.expiresAt <= nowSeconds()) throw new AppError('not_found', 'This API key does not exist, has expired or was revoked.');
    return key;
  }

  /** The key a presented secret belongs to, when it is well formed, current (or in grace) and unexpired. */
  async function verify(token: string): Promise<{ key: ApiKey; exp: number } | undefined> {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const key = await repo.findByVisibleId(parsed.visibleId);
    const now = nowSeconds();
    if (!key || key.expiresAt <= now) return undefined;
    const hash = sha256(token);
    let exp = key.expiresAt;
    if (!safeEqual(hash, key.secretHash)) {
      const inGrace = key.previousSecretHash !== null && key.previousExpiresAt !== null && key.previousExpiresAt > now;
      if (!inGrace || !safeEqual(hash, key.previousSecretHash!)) return undefined;
      exp = Math.min(exp, key.previousExpiresAt!);
    }
    // A key of an account whose address is not confirmed (any more) opens nothing: anyone can sign up
    // with someone else's address, and what they set up must not work for the real owner (issue 13).
    const account = await deps.accounts.findById(key.accountId);
    if (!account?.emailVerifiedAt) return undefined;
    if (await repo.developerModeSince(key.accountId) === undefined) return undefined;
    return { key, exp };
  }

  async function recordUse(key: ApiKey, ip: string | null | undefined, clientId?: string): Promise<void> {
    const now = nowSeconds();
    if (ip && ip !== key.lastUsedIp) await deps.onUseFromNewIp?.(key, ip, clientId);
    if (key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_WRITE_INTERVAL_SECONDS) return;
    await repo.touch(key.id, now, ip ?? null);
  }

  async function databaseNames(accountId: string): Promise<Map<string, string>> {
    return new Map((await memberships.databasesOf(accountId)).map((d) => [d.id, d.name]));
  }

  /** Tells the key's owner (text in mail/messages.ts). */
  async function owner(accountId: string): Promise<Account | undefined> {
    return await deps.accounts.findById(accountId);
  }

  return {
    async isDeveloperMode(accountId: string): Promise<boolean> {
      return await repo.developerModeSince(accountId) !== undefined;
    },

    async enableDeveloperMode(accountId: string, by: Actor): Promise<void> {
      await requireConfirmed(accountId, by);
      if (await repo.developerModeSince(accountId) !== undefined) return;
      await repo.enableDeveloperMode(accountId, nowSeconds());
      await audit.record({ accountId, actor: by.actor, event: 'developer_mode.enabled', ip: by.ip });
    },

    /** Turns developer mode off and revokes every key; returns how many keys were revoked. */
    async disableDeveloperMode(accountId: string, by: Actor): Promise<number> {
      const revoked = await repo.transaction(async () => {
        await repo.disableDeveloperMode(accountId);
        return await repo.deleteAllOf(accountId);
      });
      await audit.record({ accountId, actor: by.actor, event: 'developer_mode.disabled', ip: by.ip, data: { revokedKeys: revoked } });
      return revoked;
    },

    /** Databases a key may be limited to: the account's active memberships. */
    async databaseChoices(accountId: string): Promise<{ id: string; name: string }[]> {
      return await memberships.databasesOf(accountId);
    },

    async create(accountId: string, input: NewApiKeyInput, by: Actor): Promise<{ key: ApiKey; secret: string }> {
      await requireConfirmed(accountId, by);
      await requireDeveloperMode(accountId);
      let databases: string[] | null = null;
      if (input.databases !== null) {
        const mine = await databaseNames(accountId);
        databases = [...new Set(input.databases)];
        if (databases.length === 0) throw new AppError('invalid_input', 'Choose at least one database, or allow every database.', { fields: { databases: msg('Choose at least one database.') } });
        const unknown = databases.filter((id) => !mine.has(id));
        if (unknown.length > 0) throw new AppError('invalid_input', 'A key can only be limited to databases you are a member of.', { fields: { databases: msg('Choose among your databases.') } });
      }
      const now = nowSeconds();
      const key = await repo.transaction(async () => {
        if (await repo.countLive(accountId, now) >= MAX_LIVE_KEYS_PER_ACCOUNT) {
          throw new AppError('conflict', 'You already have {{max}} API keys. Revoke one you no longer use first.', { params: { max: MAX_LIVE_KEYS_PER_ACCOUNT } });
        }
        for (let attempt = 0; ; attempt++) {
          const generated = generateApiKey();
          if (await repo.findByVisibleId(generated.visibleId)) {
            if (attempt < 5) continue;
            throw new AppError('server_error', 'Could not pick a unique key id.');
          }
          const created: ApiKey = {
            id: randomId('key_'), accountId, visibleId: generated.visibleId, description: input.description, scope: input.scope,
            databases, secretHash: generated.hash, previousSecretHash: null, previousExpiresAt: null, createdAt: now,
            expiresAt: now + API_KEY_DURATIONS[input.duration].seconds, rotatedAt: null, lastUsedAt: null, lastUsedIp: null,
          };
          await repo.insert(created);
          return { created, secret: generated.secret };
        }
      });
      await audit.record({ accountId, actor: by.actor, event: 'api_key.created', ip: by.ip, data: { keyId: key.created.id, visibleId: key.created.visibleId, scope: input.scope, expiresAt: key.created.expiresAt } });
      const to = await owner(accountId);
      if (to) await outbox.send(to, 'apiKeyCreated', { name: to.name, description: input.description, visibleId: key.created.visibleId, scope: input.scope, expiresAt: key.created.expiresAt });
      return { key: key.created, secret: key.secret };
    },

    async listLive(accountId: string): Promise<ApiKey[]> {
      return await repo.listLive(accountId, nowSeconds());
    },

    async get(accountId: string, keyId: string): Promise<ApiKey> {
      return await findLive(accountId, keyId);
    },

    /** A new secret for the same key; the old one keeps working for `graceSeconds` (never past the key's expiry). */
    async rotate(accountId: string, keyId: string, graceSeconds: RotationGrace, by: Actor): Promise<{ key: ApiKey; secret: string }> {
      await requireDeveloperMode(accountId);
      const key = await findLive(accountId, keyId);
      const now = nowSeconds();
      const secret = `${key.visibleId}_${randomToken(32)}`;
      const previous = graceSeconds > 0 ? { hash: key.secretHash, expiresAt: Math.min(now + graceSeconds, key.expiresAt) } : null;
      await repo.rotate(key.id, sha256(secret), previous, now);
      await audit.record({ accountId, actor: by.actor, event: 'api_key.rotated', ip: by.ip, data: { keyId: key.id, visibleId: key.visibleId, graceSeconds } });
      const to = await owner(accountId);
      if (to) await outbox.send(to, 'apiKeyRotated', { name: to.name, description: key.description, visibleId: key.visibleId, previousExpiresAt: previous?.expiresAt });
      return { key: await findLive(accountId, keyId), secret };
    },

    /** Every key of the account at once (lockdown); developer mode stays on. Returns how many. */
    async revokeAll(accountId: string, by: Actor): Promise<number> {
      const count = await repo.deleteAllOf(accountId);
      if (count > 0) await audit.record({ accountId, actor: by.actor, event: 'api_keys.revoked_all', ip: by.ip, data: { count } });
      return count;
    },

    async revoke(accountId: string, keyId: string, by: Actor): Promise<void> {
      const key = await repo.findForAccount(accountId, keyId);
      if (!key || !await repo.delete(accountId, keyId)) throw new AppError('not_found', 'This API key does not exist, has expired or was revoked.');
      await audit.record({ accountId, actor: by.actor, event: 'api_key.revoked', ip: by.ip, data: { keyId, visibleId: key.visibleId, ...(by.reason ? { reason: by.reason } : {}) } });
    },

    /**
     * Token introspection by a database (an authenticated OIDC client): the answer for a live key
     * whose account is an active member of that database and which the key allows, else undefined.
     */
    async introspect(token: string, clientId: string, ip: string | null, issuer: string): Promise<ApiKeyIntrospection | undefined> {
      const found = await verify(token);
      if (!found) return undefined;
      const { key, exp } = found;
      const database = await memberships.databaseForClient(clientId);
      if (!database) return undefined;
      if (key.databases !== null && !key.databases.includes(database.id)) return undefined;
      const membership = await memberships.membership(database.id, key.accountId);
      if (!membership) return undefined;
      await recordUse(key, ip, clientId);
      return {
        active: true, sub: key.accountId, login: membership.login, role: membership.role, scope: key.scope, exp,
        iat: key.rotatedAt ?? key.createdAt, client_id: clientId, token_type: 'api_key', iss: issuer,
      };
    },

    /** A key presented to the IdP's own account API. Database limits do not apply there. */
    async authenticate(token: string, ip: string | null): Promise<ApiKey | undefined> {
      const found = await verify(token);
      if (!found) return undefined;
      await recordUse(found.key, ip);
      return found.key;
    },

    async summarize(key: ApiKey): Promise<ApiKeySummary> {
      const names = key.databases ? await databaseNames(key.accountId) : undefined;
      return {
        id: key.id,
        description: key.description,
        visibleId: key.visibleId,
        scope: key.scope,
        databases: key.databases ? key.databases.map((id) => names!.get(id) ?? `${id} (no longer a member)`) : null,
        createdAt: iso(key.createdAt),
        expiresAt: iso(key.expiresAt),
        lastUsedAt: key.lastUsedAt === null ? null : iso(key.lastUsedAt),
        lastUsedIp: key.lastUsedIp,
      };
    },

    /** For the security status: live keys and those expiring within a week. */
    async counts(accountId: string): Promise<{ total: number; expiringWithin7Days: number }> {
      const now = nowSeconds();
      const live = await repo.listLive(accountId, now);
      return { total: live.length, expiringWithin7Days: live.filter((k) => k.expiresAt - now <= 7 * 24 * 3600).length };
    },

    /** Periodic clean-up: expired keys and ended grace periods. */
    async purgeExpired(): Promise<number> {
      return await repo.purgeExpired(nowSeconds());
    },

    /** Every live key, for the operator command. */
    async listAllLive(): Promise<ApiKey[]> {
      return await repo.listAllLive(nowSeconds());
    },
  };
}

export type ApiKeyService = ReturnType<typeof apiKeyService>;
