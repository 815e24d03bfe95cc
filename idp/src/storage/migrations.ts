/**
 * Versioned schema migrations (the SQLite list; migrations-postgres.ts has the same versions for
 * PostgreSQL), applied in order at start inside one transaction each by the engine's store
 * (sqlite-store.ts). A database whose version is newer than this code knows is refused (an older binary
 * must not write a newer schema): `assertKnownSchemaVersion` is that one check, for both engines.
 * Never edit a migration that has shipped; add a new one at the end, in both lists
 * (store-parity.test.ts compares the schemas they build).
 *
 * Timestamps are integer seconds since the epoch. Secrets are never stored in clear: only hashes.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE,
        email_verified_at INTEGER,
        name TEXT NOT NULL,
        locale TEXT NOT NULL DEFAULT 'en',
        timezone TEXT NOT NULL DEFAULT 'UTC',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX accounts_email ON accounts(email);

      -- Typed credentials attached to an account: password, totp, recovery_code, ...
      CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        secret TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX credentials_account ON credentials(account_id, type);

      -- One-time links sent by mail (verify email, reset password); only the SHA-256 of the token is kept.
      CREATE TABLE account_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

      -- Every oidc-provider model (Session, Grant, AccessToken, Client, ...) in one table, with the
      -- secondary keys the library looks up and account_id so every session and grant of an account can be found.
      CREATE TABLE oidc_models (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        grant_id TEXT,
        uid TEXT,
        user_code TEXT,
        account_id TEXT,
        expires_at INTEGER,
        consumed_at INTEGER,
        PRIMARY KEY (model, id)
      ) WITHOUT ROWID;
      CREATE INDEX oidc_models_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
      CREATE INDEX oidc_models_uid ON oidc_models(uid) WHERE uid IS NOT NULL;
      CREATE INDEX oidc_models_user_code ON oidc_models(user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX oidc_models_account ON oidc_models(account_id, model) WHERE account_id IS NOT NULL;
      CREATE INDEX oidc_models_expires ON oidc_models(expires_at) WHERE expires_at IS NOT NULL;

      -- Signing keys (private JWKs). The newest active key of each algorithm signs; retired keys stay
      -- published until retire_after so tokens they signed still verify.
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        retired_at INTEGER,
        remove_after INTEGER
      );

      -- Generated server secrets (cookie signing keys) and counters, shared by every process on this store.
      CREATE TABLE server_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- Fixed-window counters for rate limits; in the store so they hold across processes and restarts.
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Security-relevant events, per account and for operator actions.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        account_id TEXT,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        ip TEXT,
        data TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_account ON audit_log(account_id, at);
    `,
  },
  {
    version: 2,
    name: 'security',
    sql: `
      -- Browsers the account signed in from, keyed by oidc-provider's Session uid (stable across session
      -- id rotation). Rows of ended sessions are removed with them.
      CREATE TABLE session_devices (
        session_uid TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_agent TEXT NOT NULL DEFAULT '',
        ip TEXT,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      );
      CREATE INDEX session_devices_account ON session_devices(account_id);

      -- Browsers that signed in to the account before (SHA-256 of a random cookie), to mail on a new one.
      CREATE TABLE known_devices (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        device_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, device_hash)
      ) WITHOUT ROWID;

      -- "Remember this device for 30 days": only the SHA-256 of the cookie value is kept.
      CREATE TABLE trusted_devices (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_agent TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX trusted_devices_account ON trusted_devices(account_id);

      -- A sign-in whose password was right and that waits for its second factor, bound to the
      -- interaction uid so the browser never carries the account id.
      CREATE TABLE pending_second_factor (
        interaction_uid TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );

      -- Subjects of deleted accounts: never issued again.
      CREATE TABLE deleted_subjects (
        id TEXT PRIMARY KEY,
        deleted_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'databases',
    sql: `
      -- A database is a registered OpenID Connect client (its metadata, secret included, lives in
      -- oidc_models as model 'Client') plus this row. owner_id has no ON DELETE action on purpose: an
      -- account that owns a database cannot be deleted before it transfers or deletes the database.
      CREATE TABLE databases (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE,
        url TEXT NOT NULL,
        client_id TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX databases_name ON databases(name);
      CREATE UNIQUE INDEX databases_client ON databases(client_id);

      -- Who may sign in to a database, and as which login. The login is fixed when the membership is
      -- created (the owner's email at creation, the invited address for an invitation) and only support
      -- changes it; account_id is NULL while an invitation is pending. Invitation links are stored as
      -- the SHA-256 of their token.
      CREATE TABLE memberships (
        id TEXT PRIMARY KEY,
        database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
        account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        login TEXT NOT NULL COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        status TEXT NOT NULL CHECK (status IN ('invited', 'active')),
        invite_token_hash TEXT,
        invite_expires_at INTEGER,
        invited_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX memberships_login ON memberships(database_id, login);
      CREATE UNIQUE INDEX memberships_account ON memberships(database_id, account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX memberships_by_account ON memberships(account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX memberships_by_login ON memberships(login, status);
      CREATE UNIQUE INDEX memberships_invite ON memberships(invite_token_hash) WHERE invite_token_hash IS NOT NULL;

      -- Initial access tokens for dynamic client registration (RFC 7591) carry no owner in
      -- oidc-provider; this maps the SHA-256 of each token to the account that will own the database.
      CREATE TABLE registration_tokens (
        token_hash TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'api keys',
    sql: `
      -- Developer mode is a per-account switch; API keys can exist only while it is on.
      CREATE TABLE developer_mode (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        enabled_at INTEGER NOT NULL
      );

      -- Developer API keys. Only SHA-256 digests of secrets are kept; visible_id is the public start of
      -- the secret and the lookup key. previous_secret_hash lives until previous_expires_at after a
      -- rotation with a grace period. databases is a JSON array of database ids, NULL for all.
      -- A revoked key is deleted (its history stays in audit_log).
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        visible_id TEXT NOT NULL,
        description TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('read', 'read-write')),
        databases TEXT,
        secret_hash TEXT NOT NULL,
        previous_secret_hash TEXT,
        previous_expires_at INTEGER,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        rotated_at INTEGER,
        last_used_at INTEGER,
        last_used_ip TEXT
      );
      CREATE UNIQUE INDEX api_keys_visible ON api_keys(visible_id);
      CREATE INDEX api_keys_account ON api_keys(account_id, expires_at);
      CREATE INDEX api_keys_expires ON api_keys(expires_at);
    `,
  },
  {
    version: 5,
    name: 'api key insertion order',
    sql: `
      -- Insertion order of API keys as a column, as PostgreSQL has had since version 4 (seq BIGSERIAL),
      -- so the same ORDER BY works on both engines. Before, SQLite queries named the implicit rowid,
      -- which VACUUM may renumber. Existing keys keep their rowid order; a new key gets the next number
      -- (the index keeps max(seq) and the export's keyset pages cheap; PostgreSQL gets the same index).
      ALTER TABLE api_keys ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
      UPDATE api_keys SET seq = rowid;
      CREATE INDEX api_keys_seq ON api_keys(seq);
      CREATE TRIGGER api_keys_seq AFTER INSERT ON api_keys FOR EACH ROW BEGIN
        UPDATE api_keys SET seq = (SELECT max(seq) FROM api_keys) + 1 WHERE rowid = NEW.rowid;
      END;
    `,
  },
  {
    version: 6,
    name: 'databases may refresh',
    sql: `
      -- Databases created before refresh tokens were offered get the refresh_token grant (issue 17);
      -- oidc-provider still issues one only for offline_access with prompt=consent.
      UPDATE oidc_models SET payload = json_insert(payload, '$.grant_types[#]', 'refresh_token')
       WHERE model = 'Client' AND id IN (SELECT client_id FROM databases)
         AND json_type(payload, '$.grant_types') = 'array'
         AND NOT EXISTS (SELECT 1 FROM json_each(oidc_models.payload, '$.grant_types') WHERE value = 'refresh_token');
    `,
  },
  {
    version: 7,
    name: 'security activity',
    sql: `
      -- Where an event came from, for the person's activity page: the browser's User-Agent and the
      -- OIDC client (database or app) it went through. Filled only for the account's own actions and
      -- failed sign-ins against it (never another person's device, e.g. a database owner's).
      ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
      ALTER TABLE audit_log ADD COLUMN client_id TEXT;
      CREATE INDEX audit_log_account_id ON audit_log(account_id, id);
      CREATE INDEX audit_log_at ON audit_log(at);

      -- Trusted devices get a public id (revoke one), the IP they were added from and their last use.
      ALTER TABLE trusted_devices ADD COLUMN id TEXT;
      ALTER TABLE trusted_devices ADD COLUMN ip TEXT;
      ALTER TABLE trusted_devices ADD COLUMN last_used_at INTEGER;
      UPDATE trusted_devices SET id = 'td_' || lower(hex(randomblob(9))) WHERE id IS NULL;
      CREATE UNIQUE INDEX trusted_devices_id ON trusted_devices(id);

      -- An account in lockdown ("this wasn't me"): sign-in is refused until its password is reset.
      CREATE TABLE account_lockdowns (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        locked_at INTEGER NOT NULL
      );

      -- IP addresses each API key was used from, so the first use from a new one is reported once.
      CREATE TABLE api_key_ips (
        key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        ip TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        PRIMARY KEY (key_id, ip)
      );
    `,
  },
  {
    version: 8,
    name: 'passkeys',
    sql: `
      -- Passkeys (WebAuthn credentials), a credential of the account beside its password and TOTP.
      -- credential_id and public_key are base64url; public_key is the COSE key, not a secret (a copy of
      -- the store cannot sign with it). transports is a JSON array; backup_* are 0/1 (synced or
      -- device-bound). sign_count only moves forward: a lower one is refused (a cloned authenticator).
      -- IF NOT EXISTS: running it again over the same store (a test re-running earlier versions) changes nothing.
      CREATE TABLE IF NOT EXISTS webauthn_credentials (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        sign_count BIGINT NOT NULL,
        transports TEXT NOT NULL,
        backup_eligible INTEGER NOT NULL,
        backup_state INTEGER NOT NULL,
        aaguid TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
      );
      CREATE UNIQUE INDEX IF NOT EXISTS webauthn_credentials_credential ON webauthn_credentials(credential_id);
      CREATE INDEX IF NOT EXISTS webauthn_credentials_account ON webauthn_credentials(account_id, created_at);

      -- Outstanding WebAuthn challenges, keyed by their SHA-256, each bound to the portal session or
      -- sign-in interaction (binding) that asked for it, single use (deleted when taken) and short-lived.
      CREATE TABLE IF NOT EXISTS webauthn_challenges (
        challenge_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'reauth')),
        binding TEXT NOT NULL,
        account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS webauthn_challenges_expires ON webauthn_challenges(expires_at);
    `,
  },
  {
    version: 9,
    name: 'mail outbox',
    // Identical on both engines. Subject and body are sealed (mail/mail-queue.ts); a delivered row is deleted.
    sql: `
      CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        sealed TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'failed')),
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        lease_until BIGINT NOT NULL,
        claim TEXT,
        last_error TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
      CREATE INDEX mail_outbox_claim ON mail_outbox(claim);
    `,
  },
  {
    version: 10,
    name: 'sealed store',
    // Identical on both engines. Marks a store written by an earlier version (one that holds anything) as
    // keyed by clear ids; the start-up step (storage/store-sealing.ts) re-keys its oidc_models rows by a
    // hash of the id, seals the signing keys, cookie keys, CSRF secret and client secrets (that needs
    // IDP_SECRET_KEY, which SQL never sees), then records 'hashed'. A fresh store gets no row (it stays
    // empty for `idp import`) and has nothing to do. The version also keeps an older IdP, which would
    // write clear values, off this store.
    sql: `
      INSERT INTO server_settings (name, value) SELECT 'oidc_ids', 'clear'
        WHERE EXISTS (SELECT 1 FROM server_settings) OR EXISTS (SELECT 1 FROM signing_keys) OR EXISTS (SELECT 1 FROM oidc_models);
    `,
  },
];

// Migrations may be appended out of order by parallel work; apply them by version.
export const latestSchemaVersion = Math.max(...migrations.map((m) => m.version));

export class SchemaTooNewError extends Error {}

/** The one version check, for both engines: an older binary must not write a newer schema. */
export function assertKnownSchemaVersion(current: number): void {
  if (current > latestSchemaVersion) {
    throw new SchemaTooNewError(
      `The database schema is version ${current} but this IdP knows only up to ${latestSchemaVersion}: upgrade the IdP.`,
    );
  }
}
