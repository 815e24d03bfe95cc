/**
 * The PostgreSQL schema: the same tables, columns and versions as the SQLite migrations (migrations.ts),
 * written for PostgreSQL. A version added there must be added here too (store-parity.test.ts checks
 * that both lists name the same versions and build the same tables, columns, keys and indexes). Applied
 * versions are rows of schema_migrations; postgres-store.ts applies them, one transaction each, under an
 * advisory lock, so several instances starting together migrate once.
 *
 * Differences from SQLite, and why:
 * - Case-insensitive text (account emails, database names, membership logins: COLLATE NOCASE in SQLite)
 *   is `citext`, so the same queries and unique indexes are case-insensitive in both engines.
 * - Timestamps are BIGINT seconds since the epoch (parsed as JS numbers by the store).
 * - JSON stays TEXT (as in SQLite): payloads are written and read whole; the few queries that look
 *   inside cast to jsonb.
 * - audit_log.id is BIGSERIAL (SQLite: INTEGER PRIMARY KEY AUTOINCREMENT); api_keys.seq, the insertion
 *   order of keys created within the same second, is BIGSERIAL (SQLite: a column its trigger numbers,
 *   since version 5).
 */
import type { Migration } from './migrations.ts';

export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE EXTENSION IF NOT EXISTS citext;

      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email CITEXT NOT NULL,
        email_verified_at BIGINT,
        name TEXT NOT NULL,
        locale TEXT NOT NULL DEFAULT 'en',
        timezone TEXT NOT NULL DEFAULT 'UTC',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX accounts_email ON accounts(email);

      CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        secret TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX credentials_account ON credentials(account_id, type);

      CREATE TABLE account_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

      CREATE TABLE oidc_models (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        grant_id TEXT,
        uid TEXT,
        user_code TEXT,
        account_id TEXT,
        expires_at BIGINT,
        consumed_at BIGINT,
        PRIMARY KEY (model, id)
      );
      CREATE INDEX oidc_models_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
      CREATE INDEX oidc_models_uid ON oidc_models(uid) WHERE uid IS NOT NULL;
      CREATE INDEX oidc_models_user_code ON oidc_models(user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX oidc_models_account ON oidc_models(account_id, model) WHERE account_id IS NOT NULL;
      CREATE INDEX oidc_models_expires ON oidc_models(expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retired_at BIGINT,
        remove_after BIGINT
      );

      CREATE TABLE server_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        window_start BIGINT NOT NULL,
        count BIGINT NOT NULL
      );

      CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
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
      CREATE TABLE session_devices (
        session_uid TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_agent TEXT NOT NULL DEFAULT '',
        ip TEXT,
        first_seen_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL
      );
      CREATE INDEX session_devices_account ON session_devices(account_id);

      CREATE TABLE known_devices (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        device_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, device_hash)
      );

      CREATE TABLE trusted_devices (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_agent TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX trusted_devices_account ON trusted_devices(account_id);

      CREATE TABLE pending_second_factor (
        interaction_uid TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );

      CREATE TABLE deleted_subjects (
        id TEXT PRIMARY KEY,
        deleted_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'databases',
    sql: `
      CREATE TABLE databases (
        id TEXT PRIMARY KEY,
        name CITEXT NOT NULL,
        url TEXT NOT NULL,
        client_id TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES accounts(id),
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX databases_name ON databases(name);
      CREATE UNIQUE INDEX databases_client ON databases(client_id);

      CREATE TABLE memberships (
        id TEXT PRIMARY KEY,
        database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
        account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        login CITEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        status TEXT NOT NULL CHECK (status IN ('invited', 'active')),
        invite_token_hash TEXT,
        invite_expires_at BIGINT,
        invited_by TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX memberships_login ON memberships(database_id, login);
      CREATE UNIQUE INDEX memberships_account ON memberships(database_id, account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX memberships_by_account ON memberships(account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX memberships_by_login ON memberships(login, status);
      CREATE UNIQUE INDEX memberships_invite ON memberships(invite_token_hash) WHERE invite_token_hash IS NOT NULL;

      CREATE TABLE registration_tokens (
        token_hash TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'api keys',
    sql: `
      CREATE TABLE developer_mode (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        enabled_at BIGINT NOT NULL
      );

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        visible_id TEXT NOT NULL,
        description TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('read', 'read-write')),
        databases TEXT,
        secret_hash TEXT NOT NULL,
        previous_secret_hash TEXT,
        previous_expires_at BIGINT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        rotated_at BIGINT,
        last_used_at BIGINT,
        last_used_ip TEXT,
        seq BIGSERIAL NOT NULL
      );
      CREATE UNIQUE INDEX api_keys_visible ON api_keys(visible_id);
      CREATE INDEX api_keys_account ON api_keys(account_id, expires_at);
      CREATE INDEX api_keys_expires ON api_keys(expires_at);
    `,
  },
  {
    version: 5,
    name: 'api key insertion order',
    // SQLite gains api_keys.seq, which PostgreSQL has had since version 4; both get its index.
    sql: `
      CREATE INDEX api_keys_seq ON api_keys(seq);
    `,
  },
  {
    version: 6,
    name: 'databases may refresh',
    sql: `
      -- Databases created before refresh tokens were offered get the refresh_token grant (issue 17).
      UPDATE oidc_models SET payload = jsonb_set(payload::jsonb, '{grant_types}', (payload::jsonb -> 'grant_types') || '["refresh_token"]'::jsonb)::text
       WHERE model = 'Client' AND id IN (SELECT client_id FROM databases)
         AND jsonb_typeof(payload::jsonb -> 'grant_types') = 'array'
         AND NOT (payload::jsonb -> 'grant_types') @> '["refresh_token"]'::jsonb;
    `,
  },
  {
    version: 7,
    name: 'security activity',
    // Same as SQLite's version 7 (see migrations.ts for what each part is for).
    sql: `
      ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
      ALTER TABLE audit_log ADD COLUMN client_id TEXT;
      CREATE INDEX audit_log_account_id ON audit_log(account_id, id);
      CREATE INDEX audit_log_at ON audit_log(at);

      ALTER TABLE trusted_devices ADD COLUMN id TEXT;
      ALTER TABLE trusted_devices ADD COLUMN ip TEXT;
      ALTER TABLE trusted_devices ADD COLUMN last_used_at BIGINT;
      UPDATE trusted_devices SET id = 'td_' || substr(md5(random()::text || token_hash), 1, 18) WHERE id IS NULL;
      CREATE UNIQUE INDEX trusted_devices_id ON trusted_devices(id);

      CREATE TABLE account_lockdowns (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        locked_at BIGINT NOT NULL
      );

      CREATE TABLE api_key_ips (
        key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        ip TEXT NOT NULL,
        first_seen_at BIGINT NOT NULL,
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
        created_at BIGINT NOT NULL,
        last_used_at BIGINT
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
        expires_at BIGINT NOT NULL
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
