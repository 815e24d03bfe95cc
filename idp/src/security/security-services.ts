/**
 * The security services on one store, built by services.ts. Two hooks for other modules:
 * `deletionBlockers` (push a check that names what forbids deleting an account, e.g. databases it solely
 * owns) and `useApiKeyStatus` (the API keys module reports totals and expiries for the status summary).
 * `provider.use()` is called once the oidc-provider exists (back-channel logout, client names).
 */
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/database.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import { accountDeletion, type DeletionBlocker } from '../accounts/account-deletion.ts';
import { profileService } from '../accounts/profile-service.ts';
import type { AuditRepository } from './audit-repository.ts';
import { securityNotifier } from './notifications.ts';
import { passwordService } from './password-service.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthService } from './reauth.ts';
import { noApiKeys, noPasskeys, securityStatusService, type ApiKeyStatusProvider, type PasskeyCountProvider } from './security-status.ts';
import type { SessionRepository } from './session-repository.ts';
import { providerLink, sessionService } from './session-service.ts';
import { loadSecretKey, secretBox } from './secret-box.ts';
import { twoFactorRepository } from './two-factor-repository.ts';
import { twoFactorService } from './two-factor-service.ts';

export function createSecurity(deps: {
  db: Db; config: Config; mailer: Mailer; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  accountsRepo: AccountRepository; sessionsRepo: SessionRepository; issuer: () => string;
}) {
  const { mailer, hasher, limiter, audit, accountsRepo: accounts } = deps;
  const provider = providerLink();
  const notifier = securityNotifier({ mailer, issuer: deps.issuer });
  const twoFactorRepo = twoFactorRepository(deps.db, secretBox(loadSecretKey(deps.config)));
  const twoFactor = twoFactorService({ repo: twoFactorRepo, limiter, audit, notifier, issuerName: 'Latchkey' });
  const sessions = sessionService({ repo: deps.sessionsRepo, provider, audit });
  const reauth = reauthService({ accounts, hasher, limiter, audit, twoFactor });
  const passwords = passwordService({ accounts, hasher, limiter, audit, sessions, twoFactor, notifier });
  const profile = profileService({ accounts, mailer, notifier, limiter, audit, issuer: deps.issuer });
  const deletionBlockers: DeletionBlocker[] = [];
  const deletion = accountDeletion({ accounts, sessions, notifier, audit, deletionBlockers });
  let apiKeyStatus: ApiKeyStatusProvider = noApiKeys;
  let passkeyCount: PasskeyCountProvider = noPasskeys;
  const status = securityStatusService({ accounts, twoFactor, sessions, audit, apiKeys: () => apiKeyStatus, passkeys: () => passkeyCount });
  return {
    provider, notifier, twoFactor, twoFactorRepo, sessions, reauth, passwords, profile, deletion, status,
    deletionBlockers,
    useApiKeyStatus(fn: ApiKeyStatusProvider): void {
      apiKeyStatus = fn;
    },
    /** The passkeys module reports how many passkeys an account has. */
    usePasskeyCount(fn: PasskeyCountProvider): void {
      passkeyCount = fn;
    },
  };
}

export type Security = ReturnType<typeof createSecurity>;
