/**
 * The rules every part of the databases service applies before it acts (lifecycle, memberships):
 * - a database that does not exist (or was deleted) is `not_found`, whoever asks;
 * - only its manager changes a database: its owner (portal), the operator (CLI), or the database app
 *   itself (its API); anyone else is `forbidden`.
 * - a database is trusted only when its client carries TRUSTED_CLIENT_METADATA, which the operator
 *   alone sets (lifecycle: created by the `idp` command, or `idp database trust`).
 * And the shape the portal lists memberships in (a membership with its database and where "Open" goes).
 */
import { AppError } from '../errors.ts';
import type { DatabaseRepository } from './database-repository.ts';
import type { Actor, Database, Membership } from './types.ts';

/**
 * Client metadata (a boolean, see oidc/provider.ts extraClientMetadata): authorization errors may go back
 * to this client before anyone signed in (oidc-glue.ts), and its invitations name its URL.
 */
export const TRUSTED_CLIENT_METADATA = 'trusted';

export interface MembershipView extends Membership {
  database: Database;
  /** Where "Open" sends the browser: the database's own sign-in page, which starts single sign-on. */
  openUrl: string;
}

export interface MemberView extends Membership {
  name: string | null;
}

export function openUrlOf(database: Database): string {
  return `${database.url}/login`;
}

export async function requireDatabase(repo: DatabaseRepository, id: string): Promise<Database> {
  const database = await repo.findById(id);
  if (!database) throw new AppError('not_found', 'This database does not exist, or was deleted.');
  return database;
}

/** Owners manage their database; the operator manages every one; a database app manages itself. */
export function requireManager(database: Database, actor: Actor): void {
  const allowed = actor.kind === 'operator'
    || (actor.kind === 'account' && database.ownerId === actor.accountId)
    || (actor.kind === 'database' && database.clientId === actor.clientId);
  if (!allowed) throw new AppError('forbidden', 'Only the owner of {{database}} can do this.', { params: { database: database.name } });
}

/** A membership with its database, or nothing when the database is gone. */
export async function membershipView(repo: DatabaseRepository, m: Membership): Promise<MembershipView | undefined> {
  const database = await repo.findById(m.databaseId);
  return database && { ...m, database, openUrl: openUrlOf(database) };
}
