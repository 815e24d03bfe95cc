/**
 * Opens this database's own SQLite file (WAL) and applies the schema.
 *
 * Invariants: a user is keyed by the IdP `sub`; `login` is the sign-in login the IdP fixed when the
 * membership was created (updated only from claims), `preferences_email` is the separate "My
 * Preferences" email. Credentials are typed rows beside the user. Sessions store only the SHA-256 of
 * their cookie secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const migrations: string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    sub TEXT NOT NULL UNIQUE,
    login TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    account_email TEXT,
    name TEXT,
    preferences_email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX users_login ON users (login COLLATE NOCASE);

  CREATE TABLE credentials (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('password')),
    secret_hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, type)
  );

  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    auth_method TEXT CHECK (auth_method IN ('sso', 'password')),
    idp_sid TEXT,
    id_token TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_idp_sid ON sessions (idp_sid);

  CREATE TABLE sign_in_flows (
    state TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );

  CREATE TABLE logout_token_jtis (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );

  CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX notes_user ON notes (user_id);
  `,
];

export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'reference-database.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < migrations.length; version += 1) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return db;
}
