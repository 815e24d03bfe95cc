/**
 * Deleting an account: irreversible. Refused while a blocker says so (the composition root passes the
 * databases module's: the databases this account is the only owner of while they have other members). Otherwise every session
 * ends (relying parties told by back-channel logout), every grant and token goes, the account row is
 * deleted (credentials, devices, API keys and memberships cascade by foreign key) and its subject is
 * retired for good: the same email can sign up again and gets a new subject.
 */
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import type { SecurityNotifier } from '../security/notifications.ts';
import type { SessionService } from '../security/session-service.ts';
import { nowSeconds } from '../clock.ts';
import type { AccountRepository } from './account-repository.ts';
import { normalizeEmail } from './account-service.ts';
import type { Account } from './types.ts';
import { isForeignKeyViolation } from '../storage/errors.ts';

/** Each returns human-readable reasons (e.g. database names) that forbid deleting the account now. */
export type DeletionBlocker = (accountId: string) => Promise<string[]>;

export function accountDeletion(deps: { accounts: AccountRepository; sessions: SessionService; notifier: SecurityNotifier; audit: AuditRepository; deletionBlockers: readonly DeletionBlocker[] }) {
  async function blockersFor(accountId: string): Promise<string[]> {
    return (await Promise.all(deps.deletionBlockers.map((check) => check(accountId)))).flat();
  }
  return {
    blockersFor,
    async deleteAccount(account: Account, confirmEmail: string): Promise<void> {
      if (normalizeEmail(confirmEmail) !== account.email) {
        throw new AppError('invalid_input', 'Type your account email exactly to confirm.', { fields: { confirm_email: msg('This is not your account email.') } });
      }
      const blockers = await blockersFor(account.id);
      if (blockers.length > 0) {
        throw new AppError('conflict', 'You are the only owner of databases that have other members: {{databases}}. Give another member the owner role or remove the members first.', { params: { databases: blockers.join(', ') } });
      }
      try {
        await deps.accounts.deleteAndRetire(account.id, nowSeconds());
      } catch (error) {
        // A table that references accounts without ON DELETE CASCADE (e.g. databases.owner_id) still
        // holds this account: refuse clearly instead of failing.
        if (!isForeignKeyViolation(error)) throw error;
        throw new AppError('conflict', 'Your account still owns databases. Transfer or delete them first, then delete your account.');
      }
      // Sessions and tokens live in oidc-provider's table (no foreign key): end them after, and tell
      // relying parties by back-channel logout.
      await deps.sessions.endAllSessions(account.id);
      await deps.audit.record({ accountId: account.id, actor: account.id, event: 'account.deleted' });
      await deps.notifier.accountDeleted(account);
    },
  };
}

export type AccountDeletion = ReturnType<typeof accountDeletion>;
