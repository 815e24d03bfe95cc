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
 * - A self-service database (made in the portal or by dynamic registration) has a confirmed owner and
 *   only the addresses redirect-uri-policy.ts allows; the portal limits creations per account
 *   (abuse-limits.ts). The operator is trusted with both.
 * - Trusted databases (TRUSTED_CLIENT_METADATA on the client) get oidc-provider's error redirects before
 *   anyone signed in (oidc-glue.ts): only the operator makes one, by creating it with the `idp` command or
 *   by `idp database trust`. Nothing a registrant or an owner sends sets it.
 */
import type { Account } from '../accounts/types.ts';
import type { AccountService } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { randomId, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { ClientMetadata, ClientRegistry } from './client-registry.ts';
import { applyClientChanges, ClientChangeError, clientSettingsOf, DATABASE_GRANT_TYPES, DEFAULT_ID_TOKEN_ALGORITHM, newClientSecret, REFRESH_TOKEN_TTL_METADATA, usesClientSecret, type DatabaseClientChanges, type DatabaseClientSettings } from './client-metadata.ts';
import type { DatabaseRepository } from './database-repository.ts';
import { requireDatabase as requireDatabaseIn, requireManager, TRUSTED_CLIENT_METADATA } from './database-rules.ts';
import { checkClientUris } from './redirect-uri-policy.ts';
import { actorLabel, type Actor, type Database, type NewDatabaseInput } from './types.ts';
import { ABUSE_LIMITS, refuseOverLimit } from '../security/abuse-limits.ts';
import type { RateLimiter } from '../security/rate-limiter.ts';

export const REGISTRATION_TOKEN_TTL = 24 * 3600;
export const DATABASE_REGISTRATION_POLICY = 'latchkey-database';

export interface DatabaseLifecycleDeps {
  repo: DatabaseRepository;
  clients: ClientRegistry;
  accounts: Pick<AccountService, 'findById' | 'findByEmail'>;
  audit: AuditRepository;
  limiter: RateLimiter;
  /** NODE_ENV=production: the operator may no longer register http addresses (redirect-uri-policy.ts). */
  production: boolean;
}

/**
 * Confirmed email first: an unconfirmed account may be someone else's address (issue 13, finding 1).
 * `refusal` is the catalog sentence to answer with; its `{{email}}` is the owner's address.
 */
function requireConfirmedOwner(owner: Account, refusal: string): void {
  if (!owner.emailVerifiedAt) throw new AppError('forbidden', refusal, { params: { email: owner.email } });
}

export function databaseLifecycle(deps: DatabaseLifecycleDeps) {
  const { repo, clients, accounts, audit, limiter } = deps;
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
      throw new AppError('conflict', 'A database named "{{name}}" already exists. Choose another name.', { params: { name }, fields: { name: msg('This name is taken.') } });
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
      const selfService = actor.kind !== 'operator';
      if (selfService) requireConfirmedOwner(owner, msg('Confirm your email address before you create a database: open the link we sent to {{email}}.'));
      checkClientUris(input, { selfService, production: deps.production });
      await assertNameFree(input.name);
      if (selfService) {
        await refuseOverLimit(limiter, [[`database-create:account:${owner.id}`, ABUSE_LIMITS.databaseCreationsPerAccount]]);
      }
      const now = nowSeconds();
      const clientId = randomId('db_');
      const secret = usesClientSecret(input.tokenEndpointAuthMethod) ? newClientSecret() : undefined;
      const metadata = clientMetadataFor(clientId, secret, input);
      if (!selfService) metadata[TRUSTED_CLIENT_METADATA] = true;
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

    /** The addresses of RFC 7591 client metadata against redirect-uri-policy.ts; throws ClientUriError. */
    checkRegisteredUris(properties: Record<string, unknown>): void {
      checkClientUris(registeredUris(properties), { selfService: true, production: deps.production });
    },

    /**
     * Dynamic client registration (RFC 7591): called by the registration policy before oidc-provider
     * stores the client, with the metadata it is about to store. Records the database and its owner.
     */
    async recordRegisteredClient(ownerId: string, properties: Record<string, unknown>): Promise<Database> {
      const owner = await accounts.findById(ownerId);
      if (!owner) throw new AppError('not_found', 'The owner of this registration token no longer exists.');
      requireConfirmedOwner(owner, msg('Confirm your email address before you register a database: open the link we sent to {{email}}.'));
      if (properties[TRUSTED_CLIENT_METADATA] !== undefined) throw new AppError('invalid_input', 'A registered database cannot choose to be trusted.');
      checkClientUris(registeredUris(properties), { selfService: true, production: deps.production });
      const name = String(properties.client_name ?? '');
      const url = String(properties.client_uri ?? '');
      const database: Database = { id: randomId('dbs_'), name, url: new URL(url).origin, clientId: String(properties.client_id), ownerId, createdAt: nowSeconds() };
      await insertDatabaseWithOwner(database, owner, database.createdAt);
      await audit.record({ accountId: ownerId, actor: `client:${database.clientId}`, event: 'database.registered', data: { database: name, clientId: database.clientId } });
      return database;
    },

    async createRegistrationToken(ownerEmail: string): Promise<{ token: string; expiresAt: number; owner: Account }> {
      const owner = await accounts.findByEmail(ownerEmail);
      if (!owner) throw new AppError('not_found', 'No account has the email {{email}}.', { params: { email: ownerEmail } });
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
        throw new AppError('bad_request', '{{database}} signs its requests with its own key (private_key_jwt); it has no secret to regenerate.', { params: { database: database.name } });
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
      // The same address rule as at creation: an owner gets https (or loopback) only, the operator
      // also http outside production (redirect-uri-policy.ts).
      checkClientUris(registeredUris(next.metadata), { selfService: actor.kind !== 'operator', production: deps.production });
      await clients.save(next.metadata);
      const changed = Object.keys(changes).filter((k) => changes[k as keyof DatabaseClientChanges] !== undefined);
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.client_updated', data: { database: database.name, changed } });
      return { database, settings: clientSettingsOf(next.metadata), clientSecret: next.clientSecret };
    },

    /** Whether oidc-provider may redirect errors to this database before anyone signed in (see oidc-glue.ts). */
    async isTrusted(databaseId: string): Promise<boolean> {
      const database = await requireDatabase(databaseId);
      return (await clients.find(database.clientId))?.[TRUSTED_CLIENT_METADATA] === true;
    },

    /** The operator's flag: trusts a database made in the portal or by registration, or stops trusting one. */
    async setTrusted(databaseId: string, trusted: boolean, actor: Actor): Promise<Database> {
      const database = await requireDatabase(databaseId);
      if (actor.kind !== 'operator') throw new AppError('forbidden', 'Only the operator decides which databases are trusted.');
      const metadata = await clients.find(database.clientId);
      if (!metadata) throw new AppError('not_found', 'The client of this database is missing.');
      const next: ClientMetadata = { ...metadata };
      if (trusted) next[TRUSTED_CLIENT_METADATA] = true;
      else delete next[TRUSTED_CLIENT_METADATA];
      await clients.save(next);
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: trusted ? 'database.trusted' : 'database.untrusted', data: { database: database.name } });
      return database;
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
        throw new AppError('bad_request', 'Choose an active member of this database as the new owner.', { fields: { member: msg('Choose an active member.') } });
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
        throw new AppError('invalid_input', 'Type the name of the database, {{database}}, to confirm.', { params: { database: database.name }, fields: { confirm: msg('The name does not match.') } });
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

/** The addresses in RFC 7591 client metadata, as redirect-uri-policy.ts names them. */
export function registeredUris(properties: Record<string, unknown>) {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
  const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    url: one(properties.client_uri),
    redirectUris: list(properties.redirect_uris),
    postLogoutRedirectUris: list(properties.post_logout_redirect_uris),
    backchannelLogoutUri: one(properties.backchannel_logout_uri),
    jwksUri: one(properties.jwks_uri),
  };
}

export type DatabaseLifecycle = ReturnType<typeof databaseLifecycle>;
