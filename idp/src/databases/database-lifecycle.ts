/**
 * A database's life: registration (by the operator or the portal, or by the database itself through
 * dynamic client registration), secret regeneration, ownership transfer, deletion, and the lookups.
 *
 * Invariants:
 * - Every database has exactly one owner membership, and `databases.owner_id` names that account: the
 *   database row and its owner membership are inserted in one transaction, and a transfer swaps both
 *   roles and `owner_id` in one transaction.
 * - The owner's sign-in login is the owner's account email at creation, and stays fixed afterwards.
 * - A database always has its client: a client that cannot be saved undoes the database; deletion
 *   removes the database first, so a failure leaves at worst an orphan client nobody can sign in to.
 * - Database names are unique, compared case-insensitively (checked again inside the transaction).
 * - Registration tokens are single-use and stored as their SHA-256.
 */
import type { Account } from '../accounts/types.ts';
import type { AccountService } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { randomId, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { ClientMetadata, ClientRegistry } from './client-registry.ts';
import { applyClientChanges, ClientChangeError, clientSettingsOf, DATABASE_GRANT_TYPES, DEFAULT_ID_TOKEN_ALGORITHM, newClientSecret, REFRESH_TOKEN_TTL_METADATA, usesClientSecret, type DatabaseClientChanges, type DatabaseClientSettings } from './client-metadata.ts';
import type { DatabaseRepository } from './database-repository.ts';
import { requireDatabase as requireDatabaseIn, requireManager } from './database-rules.ts';
import { actorLabel, type Actor, type Database, type NewDatabaseInput } from './types.ts';

export const REGISTRATION_TOKEN_TTL = 24 * 3600;
export const DATABASE_REGISTRATION_POLICY = 'latchkey-database';

export interface DatabaseLifecycleDeps {
  repo: DatabaseRepository;
  clients: ClientRegistry;
  accounts: Pick<AccountService, 'findById' | 'findByEmail'>;
  audit: AuditRepository;
}

export function databaseLifecycle(deps: DatabaseLifecycleDeps) {
  const { repo, clients, accounts, audit } = deps;
  const requireDatabase = (id: string) => requireDatabaseIn(repo, id);

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
  };
}

export type DatabaseLifecycle = ReturnType<typeof databaseLifecycle>;
