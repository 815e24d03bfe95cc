/** Adapts the databases module to the small `MembershipDirectory` API keys need. */
import type { Account } from '../accounts/types.ts';
import type { MembershipDirectory } from './types.ts';

interface DatabasesLike {
  findById(id: string): Promise<{ id: string; name: string; clientId: string } | undefined>;
  findByClientId(clientId: string): Promise<{ id: string; name: string } | undefined>;
  membershipForClient(clientId: string, accountId: string): Promise<{ login: string; role: 'owner' | 'member'; status: string } | undefined>;
  listForAccount(account: Account): Promise<{ status: string; database: { id: string; name: string } }[]>;
}

export function membershipDirectory(databases: DatabasesLike, accounts: { findById(id: string): Promise<Account | undefined> }): MembershipDirectory {
  return {
    async databaseForClient(clientId) {
      const database = await databases.findByClientId(clientId);
      return database && { id: database.id, name: database.name };
    },
    async membership(databaseId, accountId) {
      const database = await databases.findById(databaseId);
      const membership = database && await databases.membershipForClient(database.clientId, accountId);
      return membership && membership.status === 'active' ? { login: membership.login, role: membership.role } : undefined;
    },
    async databasesOf(accountId) {
      const account = await accounts.findById(accountId);
      if (!account) return [];
      return (await databases.listForAccount(account)).filter((m) => m.status === 'active').map((m) => ({ id: m.database.id, name: m.database.name }));
    },
  };
}
