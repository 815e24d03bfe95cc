/**
 * Databases and memberships: pure domain logic over the repository and the client registry; never sees
 * an HTTP context. This file is the facade the composition root and the routes use; the rules live in
 * three parts, each stating its invariants at the top:
 * - database-lifecycle.ts: create, register, regenerate the secret, transfer ownership, delete, look up;
 * - memberships.ts: members, invitations (invite, accept, decline), remove, leave, the operator's setLogin;
 * - database-sign-in.ts: which account a login names at a database's sign-in form, and the membership
 *   that lets it in.
 * database-rules.ts holds what they share (a missing database is "not found"; only the manager changes one).
 */
import type { AccountService } from '../accounts/account-service.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import type { RateLimiter } from '../security/rate-limiter.ts';
import type { ClientRegistry } from './client-registry.ts';
import type { DatabaseRepository } from './database-repository.ts';
import { databaseLifecycle } from './database-lifecycle.ts';
import { databaseSignIn } from './database-sign-in.ts';
import { databaseMemberships } from './memberships.ts';

export { DATABASE_REGISTRATION_POLICY, REGISTRATION_TOKEN_TTL } from './database-lifecycle.ts';
export { INVITATION_TTL } from './memberships.ts';
export { openUrlOf, TRUSTED_CLIENT_METADATA, type MembershipView, type MemberView } from './database-rules.ts';

export interface DatabaseServiceDeps {
  repo: DatabaseRepository;
  clients: ClientRegistry;
  accounts: AccountService;
  outbox: Outbox;
  audit: AuditRepository;
  /** Invitation and creation limits (security/abuse-limits.ts). */
  limiter: RateLimiter;
  /** NODE_ENV=production (redirect-uri-policy.ts). */
  production: boolean;
  issuer: () => string;
  /**
   * Called when an account stops being a member (removed, left): ends what it holds at that database
   * now (grants, tokens, and the database's own session through back-channel logout), instead of
   * waiting for its next sign-in to be refused.
   */
  endAccess?: (accountId: string, clientId: string) => Promise<unknown>;
}

export function databaseService(deps: DatabaseServiceDeps) {
  return {
    ...databaseLifecycle(deps),
    ...databaseMemberships(deps),
    ...databaseSignIn(deps),
  };
}

export type DatabaseService = ReturnType<typeof databaseService>;
