/**
 * The security services on one store, built by the composition root (services.ts) in two steps, since
 * the databases and API keys modules sit between them:
 * 1. `securityCore`: 2FA, sessions, re-authentication and the credential lifecycle (what accounts,
 *    databases and API keys build on);
 * 2. `createSecurity`: adds the security summary, which needs the API keys module (`apiKeyStatus`).
 * The account-side services routes reach through `security` (profile, deletion) are accounts' and
 * are added by the composition root.
 * Sessions reach oidc-provider only through `relyingParties` (back-channel logout, client names).
 */
import type { Db } from '../storage/database.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { PasswordHasher } from '../accounts/password-hasher.ts';
import type { AuditRepository } from './audit-repository.ts';
import { credentialLifecycle, type ApiKeyRevoker, type PasskeyReset } from './credential-lifecycle.ts';
import { lockdownRepository } from './lockdown-repository.ts';
import { securityNotifier } from './notifications.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { reauthService } from './reauth.ts';
import { securityStatusService, type ApiKeyStatusProvider, type PasskeyCountProvider } from './security-status.ts';
import type { SessionRepository } from './session-repository.ts';
import { sessionService, type RelyingParties } from './session-service.ts';
import type { SecretBox } from '../storage/secret-box.ts';
import { twoFactorRepository } from './two-factor-repository.ts';
import { twoFactorService } from './two-factor-service.ts';

export function securityCore(deps: {
  db: Db; box: SecretBox; outbox: Outbox; hasher: PasswordHasher; limiter: RateLimiter; audit: AuditRepository;
  accountsRepo: AccountRepository; sessionsRepo: SessionRepository; relyingParties: RelyingParties;
  /** API keys as the credential lifecycle revokes them (the keys module is built later). */
  apiKeys: ApiKeyRevoker;
  passkeys?: PasskeyReset;
}) {
  const { outbox, hasher, limiter, audit, accountsRepo: accounts } = deps;
  const notifier = securityNotifier({ outbox });
  const twoFactorRepo = twoFactorRepository(deps.db, deps.box);
  const twoFactor = twoFactorService({ repo: twoFactorRepo, limiter, audit, notifier, issuerName: 'Latchkey' });
  const sessions = sessionService({ repo: deps.sessionsRepo, relyingParties: deps.relyingParties, audit });
  const reauth = reauthService({ accounts, hasher, limiter, audit, twoFactor });
  const lockdowns = lockdownRepository(deps.db);
  const credentials = credentialLifecycle({ accounts, hasher, limiter, audit, sessions, twoFactor, notifier, lockdowns, apiKeys: deps.apiKeys, passkeys: deps.passkeys });
  // The name routes call for a password change; the work is the lifecycle's.
  const passwords = { changePassword: credentials.changePassword };
  return { notifier, twoFactor, twoFactorRepo, sessions, reauth, credentials, passwords, lockdowns };
}

export type SecurityCore = ReturnType<typeof securityCore>;

export function createSecurity(core: SecurityCore, deps: { accountsRepo: AccountRepository; audit: AuditRepository; apiKeyStatus: ApiKeyStatusProvider; passkeyCount: PasskeyCountProvider }) {
  const { sessions, twoFactor } = core;
  const status = securityStatusService({ accounts: deps.accountsRepo, twoFactor, sessions, audit: deps.audit, apiKeys: deps.apiKeyStatus, passkeys: deps.passkeyCount });
  return { ...core, status };
}

export type Security = ReturnType<typeof createSecurity>;
