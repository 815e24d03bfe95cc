/**
 * Databases and memberships: pure domain logic over the repository and the client registry; never sees
 * an HTTP context.
 *
 * Invariants:
 * - Every database has exactly one owner membership, and `databases.owner_id` names that account.
 * - A membership's `login` is fixed when it is created (the owner's account email at creation; the
 *   invited address for an invitation). Changing the account email never changes it; only the
 *   operator (`setLogin`, audited) does. At a database's sign-in form the login is what people type.
 * - An invitation is accepted only by a signed-in account whose *verified* email equals the invited
 *   address; the mailed token only locates it (stored as its SHA-256).
 * - Only active members sign in to a database (enforced at the IdP by the database_access prompt).
 */
import type { Account } from '../accounts/types.ts';
import type { AccountService } from '../accounts/account-service.ts';
import { normalizeEmail } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { randomId, randomToken, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { ClientMetadata, ClientRegistry } from './client-registry.ts';
import { applyClientChanges, ClientChangeError, clientSettingsOf, DATABASE_GRANT_TYPES, DEFAULT_ID_TOKEN_ALGORITHM, newClientSecret, REFRESH_TOKEN_TTL_METADATA, usesClientSecret, type DatabaseClientChanges, type DatabaseClientSettings } from './client-metadata.ts';
import type { DatabaseRepository } from './database-repository.ts';
import { actorLabel, type Actor, type Database, type Membership, type NewDatabaseInput } from './types.ts';

export const INVITATION_TTL = 14 * 24 * 3600;
export const REGISTRATION_TOKEN_TTL = 24 * 3600;
export const DATABASE_REGISTRATION_POLICY = 'latchkey-database';

export interface DatabaseServiceDeps {
  repo: DatabaseRepository;
  clients: ClientRegistry;
  accounts: AccountService;
  mailer: Mailer;
  audit: AuditRepository;
  issuer: () => string;
  /**
   * Called when an account stops being a member (removed, left): ends what it holds at that database
   * now (grants, tokens, and the database's own session through back-channel logout), instead of
   * waiting for its next sign-in to be refused.
   */
  endAccess?: (accountId: string, clientId: string) => Promise<unknown>;
}

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

export function databaseService(deps: DatabaseServiceDeps) {
  const { repo, clients, accounts, mailer, audit } = deps;

  async function requireDatabase(id: string): Promise<Database> {
    const database = await repo.findById(id);
    if (!database) throw new AppError('not_found', 'This database does not exist, or was deleted.');
    return database;
  }

  /** Owners manage their database; the operator manages every one; a database app manages itself. */
  function requireManager(database: Database, actor: Actor): void {
    const allowed = actor.kind === 'operator'
      || (actor.kind === 'account' && database.ownerId === actor.accountId)
      || (actor.kind === 'database' && database.clientId === actor.clientId);
    if (!allowed) throw new AppError('forbidden', `Only the owner of ${database.name} can do this.`);
  }

  function clientMetadataFor(clientId: string, secret: string | undefined, input: NewDatabaseInput): ClientMetadata {
    const metadata: ClientMetadata = {
      client_id: clientId,
      client_name: input.name,
      client_uri: input.url,
      redirect_uris: input.redirectUris,
      post_logout_redirect_uris: input.postLogoutRedirectUris,
      grant_types: DATABASE_GRANT_TYPES,
      response_types: ['code'],
      token_endpoint_auth_method: input.tokenEndpointAuthMethod,
      id_token_signed_response_alg: input.idTokenSignedResponseAlg ?? DEFAULT_ID_TOKEN_ALGORITHM,
      first_party: true,
    };
    if (input.refreshTokenTtl) metadata[REFRESH_TOKEN_TTL_METADATA] = input.refreshTokenTtl;
    if (secret) metadata.client_secret = secret;
    if (input.jwksUri) metadata.jwks_uri = input.jwksUri;
    if (input.backchannelLogoutUri) {
      metadata.backchannel_logout_uri = input.backchannelLogoutUri;
      metadata.backchannel_logout_session_required = true;
    }
    return metadata;
  }

  async function assertNameFree(name: string): Promise<void> {
    if (await repo.findByName(name)) {
      throw new AppError('conflict', `A database named "${name}" already exists. Choose another name.`, { fields: { name: 'This name is taken.' } });
    }
  }

  async function insertDatabaseWithOwner(database: Database, owner: Account, now: number): Promise<void> {
    await repo.transaction(async () => {
      await assertNameFree(database.name);
      await repo.insert(database);
      await repo.insertMembership({
        id: randomId('mem_'), databaseId: database.id, accountId: owner.id, login: owner.email, role: 'owner', status: 'active',
        invitedBy: null, inviteExpiresAt: null, inviteTokenHash: null, createdAt: now, updatedAt: now,
      });
    });
  }

  async function membershipView(m: Membership): Promise<MembershipView | undefined> {
    const database = await repo.findById(m.databaseId);
    return database && { ...m, database, openUrl: openUrlOf(database) };
  }

  return {
    /**
     * Registers the database's client and makes `owner` its owner, with the owner's current email as
     * sign-in login. Returns the client secret (shown once) for client_secret_basic.
     */
    async create(ownerId: string, input: NewDatabaseInput, actor: Actor): Promise<{ database: Database; clientId: string; clientSecret?: string }> {
      const owner = await accounts.findById(ownerId);
      if (!owner) throw new AppError('not_found', 'The owner account does not exist.');
      await assertNameFree(input.name);
      const now = nowSeconds();
      const clientId = randomId('db_');
      const secret = usesClientSecret(input.tokenEndpointAuthMethod) ? newClientSecret() : undefined;
      const metadata = clientMetadataFor(clientId, secret, input);
      await clients.validate(metadata);
      const database: Database = { id: randomId('dbs_'), name: input.name, url: input.url, clientId, ownerId: owner.id, createdAt: now };
      await insertDatabaseWithOwner(database, owner, now);
      try {
        await clients.save(metadata);
      } catch (error) {
        await repo.delete(database.id);
        throw error;
      }
      await audit.record({ accountId: owner.id, actor: actorLabel(actor), event: 'database.created', data: { database: database.name, clientId } });
      return { database, clientId, clientSecret: secret };
    },

    /**
     * Dynamic client registration (RFC 7591): called by the registration policy before oidc-provider
     * stores the client, with the metadata it is about to store. Records the database and its owner.
     */
    async recordRegisteredClient(ownerId: string, properties: Record<string, unknown>): Promise<Database> {
      const owner = await accounts.findById(ownerId);
      if (!owner) throw new AppError('not_found', 'The owner of this registration token no longer exists.');
      const name = String(properties.client_name ?? '');
      const url = String(properties.client_uri ?? '');
      const database: Database = { id: randomId('dbs_'), name, url: new URL(url).origin, clientId: String(properties.client_id), ownerId, createdAt: nowSeconds() };
      await insertDatabaseWithOwner(database, owner, database.createdAt);
      await audit.record({ accountId: ownerId, actor: `client:${database.clientId}`, event: 'database.registered', data: { database: name, clientId: database.clientId } });
      return database;
    },

    async createRegistrationToken(ownerEmail: string): Promise<{ token: string; expiresAt: number; owner: Account }> {
      const owner = await accounts.findByEmail(ownerEmail);
      if (!owner) throw new AppError('not_found', `No account has the email ${ownerEmail}.`);
      const token = await clients.issueInitialAccessToken(REGISTRATION_TOKEN_TTL, [DATABASE_REGISTRATION_POLICY]);
      const now = nowSeconds();
      await repo.insertRegistrationToken(sha256(token), owner.id, now, now + REGISTRATION_TOKEN_TTL);
      await audit.record({ accountId: owner.id, actor: 'operator', event: 'registration_token.created' });
      return { token, expiresAt: now + REGISTRATION_TOKEN_TTL, owner };
    },

    /** The owner of a live registration token, which is used up by this call. */
    async takeRegistrationToken(token: string): Promise<string | undefined> {
      return await repo.takeRegistrationToken(sha256(token), nowSeconds());
    },

    async regenerateSecret(databaseId: string, actor: Actor): Promise<{ clientId: string; clientSecret: string }> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const metadata = await clients.find(database.clientId);
      if (!metadata) throw new AppError('not_found', 'The client of this database is missing.');
      if (!usesClientSecret(String(metadata.token_endpoint_auth_method ?? 'client_secret_basic'))) {
        throw new AppError('bad_request', `${database.name} signs its requests with its own key (private_key_jwt); it has no secret to regenerate.`);
      }
      const clientSecret = newClientSecret();
      await clients.save({ ...metadata, client_secret: clientSecret });
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.secret_regenerated', data: { database: database.name } });
      return { clientId: database.clientId, clientSecret };
    },

    /** The client settings a database may change (see client-metadata.ts), as they are now. */
    async clientSettings(databaseId: string, actor: Actor): Promise<DatabaseClientSettings> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const metadata = await clients.find(database.clientId);
      if (!metadata) throw new AppError('not_found', 'The client of this database is missing.');
      return clientSettingsOf(metadata);
    },

    /** Changes URIs, algorithm or authentication of a database's client, validated as at creation. */
    async updateClient(databaseId: string, changes: DatabaseClientChanges, actor: Actor): Promise<{ database: Database; settings: DatabaseClientSettings; clientSecret?: string }> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const metadata = await clients.find(database.clientId);
      if (!metadata) throw new AppError('not_found', 'The client of this database is missing.');
      let next: ReturnType<typeof applyClientChanges>;
      try {
        next = applyClientChanges(metadata, changes);
      } catch (error) {
        if (error instanceof ClientChangeError) throw new AppError('invalid_input', error.message);
        throw error;
      }
      await clients.save(next.metadata);
      const changed = Object.keys(changes).filter((k) => changes[k as keyof DatabaseClientChanges] !== undefined);
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.client_updated', data: { database: database.name, changed } });
      return { database, settings: clientSettingsOf(next.metadata), clientSecret: next.clientSecret };
    },

    /** The database manager's list: every active membership plus pending invitations to the verified email. */
    async listForAccount(account: Account): Promise<MembershipView[]> {
      const now = nowSeconds();
      const memberships = (await repo.listForAccount(account.id, account.email, account.emailVerifiedAt ? 1 : 0))
        .filter((m) => m.status === 'active' || (m.inviteExpiresAt ?? 0) > now);
      return (await Promise.all(memberships.map(membershipView))).filter((m): m is MembershipView => m !== undefined);
    },

    async listAll(): Promise<Database[]> {
      return await repo.listAll();
    },

    async listOwnedBy(accountId: string): Promise<Database[]> {
      return await repo.listOwnedBy(accountId);
    },

    async findById(id: string): Promise<Database | undefined> {
      return await repo.findById(id);
    },

    async findByName(name: string): Promise<Database | undefined> {
      return await repo.findByName(name.trim());
    },

    async findByClientId(clientId: string): Promise<Database | undefined> {
      return await repo.findByClientId(clientId);
    },

    /** What an account may see of a database: the owner sees members, a member only itself. */
    async view(databaseId: string, accountId: string): Promise<{ database: Database; membership: Membership; members: MemberView[] }> {
      const database = await requireDatabase(databaseId);
      const membership = await repo.membershipOf(database.id, accountId);
      if (!membership) throw new AppError('not_found', 'This database does not exist, or you are not a member of it.');
      return { database, membership, members: membership.role === 'owner' ? await this.members(database.id) : [] };
    },

    async members(databaseId: string): Promise<MemberView[]> {
      return Promise.all((await repo.membersOf(databaseId)).map(async (m) => ({ ...m, name: m.accountId ? ((await accounts.findById(m.accountId))?.name ?? null) : null })));
    },

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
    async authenticate(clientId: string | undefined, identifier: string, password: string, ip: string): Promise<Account> {
      const database = clientId ? await repo.findByClientId(clientId) : undefined;
      if (!database) return await accounts.authenticate(identifier, password, ip);
      const byLogin = await repo.membershipByLogin(database.id, normalizeEmail(identifier));
      const member = byLogin?.status === 'active' && byLogin.accountId ? await accounts.findById(byLogin.accountId) : undefined;
      if (member) return await accounts.authenticate(member.email, password, ip);
      const account = await accounts.authenticate(identifier, password, ip);
      const own = await repo.membershipOf(database.id, account.id);
      if (own) {
        throw new AppError('invalid_credentials', `On ${database.name} you sign in as ${own.login}, the address your membership was created with. Changing your account email does not change it; ask support to.`, {
          fields: { email: `Use ${own.login} for ${database.name}.` },
        });
      }
      return account;
    },

    async invite(databaseId: string, email: string, actor: Actor): Promise<Membership> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const login = normalizeEmail(email);
      const existing = await repo.membershipByLogin(database.id, login);
      if (existing) {
        throw new AppError('conflict', existing.status === 'invited' ? `${login} is already invited to ${database.name}.` : `${login} is already a member of ${database.name}.`, {
          fields: { email: 'Already invited or a member.' },
        });
      }
      const invitee = await accounts.findByEmail(login);
      if (invitee && await repo.membershipOf(database.id, invitee.id)) {
        throw new AppError('conflict', `The account with ${login} is already a member of ${database.name}.`, { fields: { email: 'Already a member.' } });
      }
      const token = randomToken();
      const now = nowSeconds();
      const membership: Membership = {
        id: randomId('mem_'), databaseId: database.id, accountId: null, login, role: 'member', status: 'invited',
        invitedBy: actorLabel(actor), inviteExpiresAt: now + INVITATION_TTL, createdAt: now, updatedAt: now,
      };
      await repo.insertMembership({ ...membership, inviteTokenHash: sha256(token) });
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.member_invited', data: { database: database.name, login } });
      await mailer.send({
        to: login,
        subject: `You are invited to ${database.name}`,
        text: `Hello,\n\nYou are invited to join the database ${database.name} (${database.url}).\nOpen this link within 14 days to accept; sign in with, or create, an account with this email address (${login}):\n${deps.issuer()}/my/invitations?token=${token}\n\nIf you do not expect this, ignore this message.\n`,
      });
      return membership;
    },

    /** The invitation behind a mailed link, if it is still pending. */
    async invitationByToken(token: string): Promise<MembershipView | undefined> {
      const m = await repo.membershipByInviteHash(sha256(token));
      return m && (m.inviteExpiresAt ?? 0) > nowSeconds() ? await membershipView(m) : undefined;
    },

    async pendingInvitationFor(membershipId: string, account: Account): Promise<MembershipView> {
      const m = await repo.membership(membershipId);
      const view = m && m.status === 'invited' && (m.inviteExpiresAt ?? 0) > nowSeconds() ? await membershipView(m) : undefined;
      if (!view) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
      if (normalizeEmail(view.login) !== normalizeEmail(account.email) || !account.emailVerifiedAt) {
        throw new AppError('forbidden', `This invitation is for ${view.login}. Sign in with the account that has this confirmed email address.`);
      }
      return view;
    },

    async acceptInvitation(membershipId: string, account: Account): Promise<MembershipView> {
      const view = await this.pendingInvitationFor(membershipId, account);
      await repo.transaction(async () => {
        if (await repo.membershipOf(view.databaseId, account.id)) throw new AppError('conflict', `You are already a member of ${view.database.name}.`);
        if (!await repo.activate(view.id, account.id, nowSeconds())) throw new AppError('gone', 'This invitation was withdrawn or already used.');
      });
      await audit.record({ accountId: account.id, actor: account.id, event: 'database.invitation_accepted', data: { database: view.database.name, login: view.login } });
      return { ...view, accountId: account.id, status: 'active' };
    },

    async declineInvitation(membershipId: string, account: Account): Promise<void> {
      const view = await this.pendingInvitationFor(membershipId, account);
      await repo.deleteMembership(view.id);
      await audit.record({ accountId: account.id, actor: account.id, event: 'database.invitation_declined', data: { database: view.database.name } });
    },

    async removeMember(databaseId: string, membershipId: string, actor: Actor): Promise<Membership> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const m = await repo.membership(membershipId);
      if (!m || m.databaseId !== database.id) throw new AppError('not_found', 'This member does not exist.');
      if (m.role === 'owner') throw new AppError('bad_request', 'The owner cannot be removed. Transfer the ownership first.');
      await repo.deleteMembership(m.id);
      await audit.record({ accountId: m.accountId ?? database.ownerId, actor: actorLabel(actor), event: 'database.member_removed', data: { database: database.name, login: m.login } });
      if (m.accountId) await deps.endAccess?.(m.accountId, database.clientId);
      return m;
    },

    async leave(databaseId: string, account: Account): Promise<void> {
      const database = await requireDatabase(databaseId);
      const m = await repo.membershipOf(database.id, account.id);
      if (!m) throw new AppError('not_found', `You are not a member of ${database.name}.`);
      if (m.role === 'owner') throw new AppError('bad_request', `You own ${database.name}: transfer the ownership to another member, or delete the database.`);
      await repo.deleteMembership(m.id);
      await audit.record({ accountId: account.id, actor: account.id, event: 'database.left', data: { database: database.name } });
      await deps.endAccess?.(account.id, database.clientId);
    },

    async transferOwnership(databaseId: string, toMembershipId: string, actor: Actor): Promise<void> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const target = await repo.membership(toMembershipId);
      if (!target || target.databaseId !== database.id || target.status !== 'active' || !target.accountId) {
        throw new AppError('bad_request', 'Choose an active member of this database as the new owner.', { fields: { member: 'Choose an active member.' } });
      }
      if (target.role === 'owner') throw new AppError('bad_request', 'This member already owns the database.');
      const now = nowSeconds();
      await repo.transaction(async () => {
        const current = await repo.membershipOf(database.id, database.ownerId);
        if (current) await repo.setRole(current.id, 'member', now);
        await repo.setRole(target.id, 'owner', now);
        await repo.setOwner(database.id, target.accountId!);
      });
      await audit.record({ accountId: target.accountId, actor: actorLabel(actor), event: 'database.ownership_transferred', data: { database: database.name, from: database.ownerId, to: target.accountId } });
    },

    /** Deletes the database and its client; `confirmName` must repeat the name (typed confirmation). */
    async delete(databaseId: string, confirmName: string, actor: Actor): Promise<Database> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      if (confirmName.trim().toLowerCase() !== database.name.toLowerCase()) {
        throw new AppError('invalid_input', `Type the name of the database, ${database.name}, to confirm.`, { fields: { confirm: 'The name does not match.' } });
      }
      // The database row (and its memberships) first: a failure after it leaves an orphan client that
      // nobody can sign in to, never a database without its client.
      await repo.delete(database.id);
      await clients.remove(database.clientId);
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.deleted', data: { database: database.name, clientId: database.clientId } });
      return database;
    },

    /** Support only: changes the sign-in login of one membership, recorded in the audit log. */
    async setLogin(databaseName: string, accountEmail: string, newLogin: string, actor: Actor): Promise<{ database: Database; oldLogin: string; newLogin: string }> {
      const database = await repo.findByName(databaseName.trim());
      if (!database) throw new AppError('not_found', `No database is named "${databaseName}".`);
      const account = await accounts.findByEmail(accountEmail);
      const m = account && await repo.membershipOf(database.id, account.id);
      if (!account || !m) throw new AppError('not_found', `No account with the email ${accountEmail} is a member of ${database.name}.`);
      const login = normalizeEmail(newLogin);
      const taken = await repo.membershipByLogin(database.id, login);
      if (taken && taken.id !== m.id) throw new AppError('conflict', `${login} is already the login of another member of ${database.name}.`);
      await repo.setLogin(m.id, login, nowSeconds());
      await audit.record({ accountId: account.id, actor: actorLabel(actor), event: 'membership.login_changed', data: { database: database.name, old: m.login, new: login } });
      return { database, oldLogin: m.login, newLogin: login };
    },
  };
}

export type DatabaseService = ReturnType<typeof databaseService>;
