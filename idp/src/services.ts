/**
 * Composition root of the domain: builds every repository and service on one store. Routes and the CLI
 * receive this object; nothing else constructs services.
 */
import type { Config } from './config/config.ts';
import type { Db } from './storage/database.ts';
import { accountRepository } from './accounts/account-repository.ts';
import { accountService } from './accounts/account-service.ts';
import { passwordHasher } from './accounts/password-hasher.ts';
import type { Mailer } from './mail/mailer.ts';
import { outboxFor } from './mail/outbox-setup.ts';
import { rateLimiter } from './security/rate-limiter.ts';
import { redisRateLimiter, type ShortLivedStore } from './storage/redis.ts';
import { auditRepository } from './security/audit-repository.ts';
import { sessionRepository } from './security/session-repository.ts';
import { createSecurity } from './security/security-services.ts';
import type Provider from 'oidc-provider';
import { createProvider } from './oidc/provider.ts';
import { ensureSigningKeys } from './storage/server-settings.ts';
import { clientRegistry } from './databases/client-registry.ts';
import { databaseRepository } from './databases/database-repository.ts';
import { databaseService } from './databases/database-service.ts';
import { apiKeyRepository } from './apikeys/api-key-repository.ts';
import { apiKeyService } from './apikeys/api-key-service.ts';
import { membershipDirectory } from './apikeys/membership-directory.ts';

/**
 * `shortLived`: Redis when IDP_REDIS_URL is set; sessions, interactions, codes and rate limits then live
 * there (see storage/redis.ts), everything else in `db`.
 */
export function createServices(config: Config, db: Db, options: { issuer: () => string; mailer?: Mailer; shortLived?: ShortLivedStore }) {
  const shortLived = options.shortLived;
  // Every mail goes through the durable outbox (mail/outbox.ts); a mailer handed in (tests) gets it at once.
  const mailer = outboxFor(config, db, options.issuer, options.mailer);
  const accountsRepo = accountRepository(db);
  const hasher = passwordHasher(config.argon2);
  const limiter = shortLived ? redisRateLimiter(shortLived) : rateLimiter(db);
  const audit = auditRepository(db);
  const accounts = accountService({ accounts: accountsRepo, hasher, mailer, limiter, audit, issuer: options.issuer });
  const sessions = sessionRepository(db, shortLived);
  const security = createSecurity({ db, config, mailer, hasher, limiter, audit, accountsRepo, sessionsRepo: sessions, issuer: options.issuer });
  // Databases validate client metadata with oidc-provider's own rules: a provider built from the same
  // configuration (cheap, stateless) is made on first use.
  let validationProvider: Provider | undefined;
  const clients = clientRegistry(db, async () => {
    if (!validationProvider) await ensureSigningKeys(db); // a fresh store (operator command before first start)
    return (validationProvider ??= await createProvider({ issuer: options.issuer(), services, extensionRedirectUris: config.extensionRedirectUris }));
  });
  const databases = databaseService({
    repo: databaseRepository(db), clients, accounts, mailer, audit, issuer: options.issuer,
    endAccess: (accountId, clientId) => security.sessions.endClientAccess(accountId, clientId),
  });
  // databases.owner_id has no ON DELETE action: an owner must hand over or delete its databases first
  // (those with other members are named here; the foreign key refuses the rest).
  security.deletionBlockers.push(async (accountId) => {
    const blocking: string[] = [];
    for (const d of await databases.listOwnedBy(accountId)) {
      if ((await databases.members(d.id)).some((m) => m.status === 'active' && m.accountId !== accountId)) blocking.push(d.name);
    }
    return blocking;
  });
  const apiKeys = apiKeyService({ repo: apiKeyRepository(db), memberships: membershipDirectory(databases, accountsRepo), accounts: accountsRepo, audit, mailer, issuer: options.issuer });
  security.useApiKeyStatus((accountId) => apiKeys.counts(accountId));
  const services = { config, db, shortLived, mailer, hasher, limiter, audit, accounts, accountsRepo, sessions, databases, security, apiKeys, issuer: options.issuer };
  return services;
}

export type Services = ReturnType<typeof createServices>;
