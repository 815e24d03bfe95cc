/**
 * The security services on one store, built by the composition root (services.ts) in two steps, since
 * the databases and API keys modules sit between them:
 * 1. `securityCore`: 2FA, sessions, re-authentication and the credential lifecycle (what accounts,
 *    databases and API keys build on);
 * 2. `createSecurity`: adds what needs those modules, each given as a constructor argument: the
 *    security summary (`apiKeyStatus`) and account deletion (`deletionBlockers`), and the profile.
 * Sessions reach oidc-provider only through `relyingParties` (back-channel logout, client names).
 */
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/database.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import { accountDeletion, type DeletionBlocker } from '../accounts/account-deletion.ts';
import { profileService } from '../accounts/profile-service.ts';
import type { AuditRepository } from './audit-repository.ts';
import { credentialLifecycle } from './credential-lifecycle.ts';
import { securityNotifier } from './notifications.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthService } from './reauth.ts';
import { securityStatusService, type ApiKeyStatusProvider } from './security-status.ts';
import type { SessionRepository } from './session-repository.ts';
import { sessionService, type RelyingParties } from './session-service.ts';
import { loadSecretKey, secretBox } from './secret-box.ts';
import { twoFactorRepository } from './two-factor-repository.ts';
import { twoFactorService } from './two-factor-service.ts';

export function securityCore(deps: {
  db: Db; config: Config; outbox: Outbox; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  accountsRepo: AccountRepository; sessionsRepo: SessionRepository; relyingParties: RelyingParties;
}) {
  const { outbox, hasher, limiter, audit, accountsRepo: accounts } = deps;
  const notifier = securityNotifier({ outbox });
  const twoFactorRepo = twoFactorRepository(deps.db, secretBox(loadSecretKey(deps.config)));
  const twoFactor = twoFactorService({ repo: twoFactorRepo, limiter, audit, notifier, issuerName: 'Latchkey' });
  const sessions = sessionService({ repo: deps.sessionsRepo, relyingParties: deps.relyingParties, audit });
  const reauth = reauthService({ accounts, hasher, limiter, audit, twoFactor });
  const credentials = credentialLifecycle({ accounts, hasher, limiter, audit, sessions, twoFactor, notifier });
  // The name routes call for a password change; the work is the lifecycle's.
  const passwords = { changePassword: credentials.changePassword };
  return { notifier, twoFactor, twoFactorRepo, sessions, reauth, credentials, passwords };
}

export type SecurityCore = ReturnType<typeof securityCore>;

export function createSecurity(core: SecurityCore, deps: {
  accountsRepo: AccountRepository; outbox: Outbox; limiter: RateLimiter; audit: AuditRepository;
  apiKeyStatus: ApiKeyStatusProvider;
  /** Checks that name what forbids deleting an account now (e.g. databases it solely owns). */
  deletionBlockers: DeletionBlocker[];
}) {
  const { accountsRepo: accounts, outbox, limiter, audit, deletionBlockers } = deps;
  const { notifier, sessions, twoFactor } = core;
  const profile = profileService({ accounts, outbox, notifier, limiter, audit });
  const deletion = accountDeletion({ accounts, sessions, notifier, audit, deletionBlockers });
  const status = securityStatusService({ accounts, twoFactor, sessions, audit, apiKeys: deps.apiKeyStatus });
  return { ...core, profile, deletion, status, deletionBlockers };
}

export type Security = ReturnType<typeof createSecurity>;
