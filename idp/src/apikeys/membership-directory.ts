/** Adapts the databases module to the small `MembershipDirectory` API keys need. */
import type { Account } from '../accounts/types.ts';
import type { MembershipDirectory } from './types.ts';

interface DatabasesLike {
  findById(id: string): { id: string; name: string; clientId: string } | undefined;
  findByClientId(clientId: string): { id: string; name: string } | undefined;
  membershipForClient(clientId: string, accountId: string): { login: string; role: 'owner' | 'member'; status: string } | undefined;
  listForAccount(account: Account): { status: string; database: { id: string; name: string } }[];
}

export function membershipDirectory(databases: DatabasesLike, accounts: { findById(id: string): Account | undefined }): MembershipDirectory {
  return {
    databaseForClient(clientId) {
      const database = databases.findByClientId(clientId);
      return database && { id: database.id, name: database.name };
    },
    membership(databaseId, accountId) {
      const database = databases.findById(databaseId);
      const membership = database && databases.membershipForClient(database.clientId, accountId);
      return membership && membership.status === 'active' ? { login: membership.login, role: membership.role } : undefined;
    },
    databasesOf(accountId) {
      const account = accounts.findById(accountId);
      if (!account) return [];
      return databases.listForAccount(account).filter((m) => m.status === 'active').map((m) => ({ id: m.database.id, name: m.database.name }));
    },
  };
}
