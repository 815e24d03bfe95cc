/**
 * Signing in to a database: which account a typed login names at a database's sign-in form, and the
 * membership that lets an account in (read by the database_access prompt, see oidc-glue.ts).
 *
 * Invariants:
 * - At a database's form the identifier is the membership's sign-in login, which may differ from the
 *   account's current email; elsewhere (the portal, the extension) it is the account email.
 * - The password is always checked by the account service (attempt counting, constant-time verify);
 *   this file only decides whose password it is.
 * - A person who is not a member signs in normally and is then stopped by the database_access prompt
 *   ("no access"); only active members get through it.
 */
import type { Account } from '../accounts/types.ts';
import type { AccountService, SignInOrigin } from '../accounts/account-service.ts';
import { normalizeEmail } from '../accounts/account-service.ts';
import { msg } from '../i18n/translator.ts';
import { AppError } from '../errors.ts';
import type { DatabaseRepository } from './database-repository.ts';
import type { Membership } from './types.ts';

export interface DatabaseSignInDeps {
  repo: DatabaseRepository;
  accounts: Pick<AccountService, 'findById' | 'authenticate'>;
}

export function databaseSignIn(deps: DatabaseSignInDeps) {
  const { repo, accounts } = deps;

  return {
    /** The active membership that lets `accountId` sign in to the database behind `clientId`. */
    async membershipForClient(clientId: string, accountId: string): Promise<Membership | undefined> {
      const database = await repo.findByClientId(clientId);
      return database && await repo.membershipOf(database.id, accountId);
    },

    async isDatabaseClient(clientId: string): Promise<boolean> {
      return (await repo.findByClientId(clientId)) !== undefined;
    },

    /**
     * Checks the password typed at the IdP's sign-in form for `clientId`. For a database the identifier
     * is the membership's sign-in login (which may differ from the account's current email); an account
     * that signs in with its email but has a different login on this database is told which login to
     * use. A person who is not a member at all signs in normally and then sees "no access".
     */
    async authenticate(clientId: string | undefined, identifier: string, password: string, from: SignInOrigin): Promise<Account> {
      const database = clientId ? await repo.findByClientId(clientId) : undefined;
      if (!database) return await accounts.authenticate(identifier, password, from);
      const byLogin = await repo.membershipByLogin(database.id, normalizeEmail(identifier));
      const member = byLogin?.status === 'active' && byLogin.accountId ? await accounts.findById(byLogin.accountId) : undefined;
      if (member) return await accounts.authenticate(member.email, password, from);
      const account = await accounts.authenticate(identifier, password, from);
      const own = await repo.membershipOf(database.id, account.id);
      if (own) {
        throw new AppError('invalid_credentials', 'On {{database}} you sign in as {{login}}, the address your membership was created with. Changing your account email does not change it; ask support to.', {
          params: { database: database.name, login: own.login },
          fields: { email: { key: msg('Use {{login}} for {{database}}.'), params: { database: database.name, login: own.login } } },
        });
      }
      return account;
    },
  };
}

export type DatabaseSignIn = ReturnType<typeof databaseSignIn>;
