/**
 * Composition root of the domain: builds every repository and service on one store, in dependency
 * order, and hands each the narrow ports it needs. Routes and the CLI receive this object; nothing
 * else constructs services.
 *
 * Order: storage and mail → passkeys → security core (2FA, sessions, credential lifecycle) → accounts →
 * databases → API keys → the security summary and account deletion (which need databases and keys) →
 * oidc-provider, last, on first use. The only call that runs against the order is into the provider
 * (back-channel logout, client names, client metadata checks): those read the holder when called.
 */
import type { ServingPhase } from './http/graceful-server.ts';
import type { Config } from './config/config.ts';
import type { Db } from './storage/database.ts';
import { accountRepository } from './accounts/account-repository.ts';
import { accountService } from './accounts/account-service.ts';
import { passwordHasher } from './accounts/password-hasher.ts';
import { accountDeletion } from './accounts/account-deletion.ts';
import { profileService } from './accounts/profile-service.ts';
import type { Mailer } from './mail/mailer.ts';
import { mailQueueFor } from './mail/mail-queue-setup.ts';
import { mailOutbox } from './mail/outbox.ts';
import { rateLimiter } from './security/rate-limiter.ts';
import { redisRateLimiter } from './security/redis-rate-limiter.ts';
import { withInProcessFallback } from './security/fallback-rate-limiter.ts';
import { countingRejections } from './security/rate-limit-metrics.ts';
import { RedisOidcAdapter, SHORT_LIVED_MODELS, type ShortLivedStore } from './storage/redis.ts';
import { StoreOidcAdapter } from './storage/oidc-adapter.ts';
import { auditRepository } from './security/audit-repository.ts';
import { sessionRepository } from './security/session-repository.ts';
import { createSecurity, securityCore } from './security/security-services.ts';
import { PORTAL_CLIENT_ID, providerHolder, relyingParties, type ProviderHolder } from './oidc/provider.ts';
import { cookieSecrets, ensureSigningKeys, keysVersion, loadJwks } from './storage/server-settings.ts';
import { loadSecretBox } from './storage/secret-box.ts';
import { clientRegistry } from './databases/client-registry.ts';
import { databaseRepository } from './databases/database-repository.ts';
import { databaseService, type DatabaseService } from './databases/database-service.ts';
import { apiKeyRepository } from './apikeys/api-key-repository.ts';
import { apiKeyService } from './apikeys/api-key-service.ts';
import { membershipDirectory } from './apikeys/membership-directory.ts';
import { passkeyRepository } from './passkeys/passkey-repository.ts';
import { passkeyService } from './passkeys/passkey-service.ts';
import { activityRepository } from './activity/activity-repository.ts';
import { activityService } from './activity/activity-service.ts';
import { clientNames } from './security/session-service.ts';
import { lockdownService } from './security/lockdown.ts';
import { dataExport } from './activity/data-export.ts';

/**
 * `shortLived`: Redis when IDP_REDIS_URL is set; sessions, interactions, codes and rate limits then live
 * there (see storage/redis.ts), everything else in `db`.
 */
export function createServices(config: Config, db: Db, options: { issuer: () => string; mailer?: Mailer; shortLived?: ShortLivedStore; phase?: () => ServingPhase }) {
  const { shortLived, issuer } = options;
  /** Where the listener is in its life (http/graceful-server.ts), for `/readyz`; always serving outside `idp serve`. */
  const phase = options.phase ?? (() => 'serving' as const);
  // One box over IDP_SECRET_KEY (NEW,OLD while rotating) for everything sealed in the store.
  const box = loadSecretBox(config);
  // Every mail is queued durably in the store (mail/mail-queue.ts); a mailer handed in (tests) gets it at once.
  const mailer = mailQueueFor(config, db, box, issuer, options.mailer);
  const outbox = mailOutbox({ mailer, issuer, locales: config.locales });
  const accountsRepo = accountRepository(db);
  const hasher = passwordHasher(config.argon2);
  const limiter = countingRejections(shortLived ? redisRateLimiter(shortLived) : rateLimiter(db));
  // The account API's failed-authentication limit keeps counting in this process while the shared one
  // does not answer, so valid API keys keep working through a Redis outage (fallback-rate-limiter.ts).
  const apiFailureLimiter = withInProcessFallback(limiter);
  const audit = auditRepository(db);
  const sessions = sessionRepository(db, shortLived);

  // oidc-provider is built last (below); until then, and in operator commands that never need it,
  // nobody is told by back-channel logout.
  const oidc = { built: () => providers.built() };
  // The credential lifecycle revokes every key at a reset; it needs only the keys' repository.
  const apiKeysRepo = apiKeyRepository(db);
  // Passkeys need only storage and mail; the credential lifecycle removes the ticked ones on a reset.
  const passkeys = passkeyService({ repo: passkeyRepository(db), accounts: accountsRepo, limiter, audit, outbox, issuer });
  const core = securityCore({
    db, box, outbox, hasher, limiter, audit, accountsRepo, sessionsRepo: sessions, relyingParties: relyingParties(oidc),
    apiKeys: { revokeAll: (accountId) => apiKeysRepo.deleteAllOf(accountId) }, passkeys,
  });
  const accounts = accountService({ accounts: accountsRepo, hasher, outbox, limiter, audit, credentials: core.credentials, isKnownDevice: (accountId, hash) => sessions.isKnownDevice(accountId, hash) });
  // Client metadata is checked by oidc-provider's own rules, with our configuration (client-registry.ts).
  const clients = clientRegistry(db, box, () => providers.ready());
  const databases = databaseService({
    repo: databaseRepository(db), clients, accounts, outbox, audit, limiter, production: config.production, issuer,
    endAccess: (accountId, clientId) => core.sessions.endClientAccess(accountId, clientId),
  });
  const activity = activityService({ repo: activityRepository(db), audit, outbox, clientNames: (ids) => clientNames(relyingParties(oidc), ids) });
  const apiKeys = apiKeyService({
    repo: apiKeysRepo, memberships: membershipDirectory(databases, accountsRepo), accounts: accountsRepo, audit, outbox, issuer,
    onUseFromNewIp: (key, ip, clientId) => activity.noteApiKeyUse(key, ip, clientId),
  });
  const deletionBlockers = [soleOwnerOfSharedDatabases(databases)];
  const security = {
    ...createSecurity(core, { accountsRepo, audit, apiKeyStatus: (accountId) => apiKeys.counts(accountId), passkeyCount: (accountId) => passkeys.count(accountId) }),
    // Account information and deletion, reached by routes through `security`.
    profile: profileService({ accounts: accountsRepo, outbox, notifier: core.notifier, limiter, audit }),
    deletion: accountDeletion({ accounts: accountsRepo, sessions: core.sessions, notifier: core.notifier, audit, deletionBlockers }),
    deletionBlockers,
    lockdown: lockdownService({
      repo: core.lockdowns, accounts: accountsRepo, credentials: core.credentials, limiter, audit, outbox,
    }),
  };

  const providers: ProviderHolder = providerHolder(
    {
      issuer, extensionRedirectUris: config.extensionRedirectUris, production: config.production, trustProxy: config.trustProxy,
      outboundTimeoutMs: config.timeouts.outboundMs, locales: config.locales,
    },
    {
      // Short-lived artifacts in Redis when it is configured; everything else in the SQL store.
      adapterFactory: (name) => (shortLived && SHORT_LIVED_MODELS.has(name) ? new RedisOidcAdapter(name, shortLived) : new StoreOidcAdapter(name, db, box)),
      keys: { ensure: () => ensureSigningKeys(db, box), version: () => keysVersion(db), jwks: () => loadJwks(db, box), cookieSecrets: () => cookieSecrets(db, box) },
      findAccount: (accountId) => accounts.findById(accountId),
      databaseAccess: databases,
      apiKeyIntrospection: apiKeys.introspect,
      recordSessionActivity: (input) => core.sessions.recordActivity(input),
    },
  );

  return { config, db, box, shortLived, phase, mailer, outbox, hasher, limiter, apiFailureLimiter, audit, accounts, accountsRepo, sessions, databases, security, apiKeys, activity, passkeys, providers, issuer,
    dataExport: dataExport({ databases, sessions: core.sessions, twoFactor: core.twoFactor, apiKeys, activity, passkeys, limiter, audit, hiddenClients: [PORTAL_CLIENT_ID] }) };
}

/**
 * databases.owner_id has no ON DELETE action: an owner must hand over or delete its databases first
 * (those with other members are named here; the foreign key refuses the rest).
 */
function soleOwnerOfSharedDatabases(databases: DatabaseService) {
  return async (accountId: string): Promise<string[]> => {
    const blocking: string[] = [];
    for (const d of await databases.listOwnedBy(accountId)) {
      if ((await databases.members(d.id)).some((m) => m.status === 'active' && m.accountId !== accountId)) blocking.push(d.name);
    }
    return blocking;
  };
}

export type Services = ReturnType<typeof createServices>;
