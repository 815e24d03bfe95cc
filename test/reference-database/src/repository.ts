/** All SQL of the app. Times are epoch milliseconds. */
import type { Db } from './storage.ts';

export type Role = 'owner' | 'member';

export interface UserRow {
  id: number;
  sub: string;
  login: string;
  role: Role;
  account_email: string | null;
  name: string | null;
  preferences_email: string;
  created_at: number;
  updated_at: number;
}

export interface SessionRow {
  id_hash: string;
  user_id: number | null;
  csrf_token: string;
  auth_method: 'sso' | 'password' | null;
  idp_sid: string | null;
  id_token: string | null;
  created_at: number;
  expires_at: number;
}

export interface SignInFlowRow {
  state: string;
  session_hash: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: number;
}

export interface NoteRow {
  id: number;
  user_id: number;
  text: string;
  created_at: number;
}

export function createRepository(db: Db) {
  const stmt = {
    userBySub: db.prepare<[string], UserRow>('SELECT * FROM users WHERE sub = ?'),
    userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    usersByLogin: db.prepare<[string], UserRow>('SELECT * FROM users WHERE login = ? COLLATE NOCASE ORDER BY id'),
    insertUser: db.prepare(
      `INSERT INTO users (sub, login, role, account_email, name, preferences_email, created_at, updated_at)
       VALUES (@sub, @login, @role, @account_email, @name, @preferences_email, @now, @now)`,
    ),
    updateUserFromIdp: db.prepare(
      `UPDATE users SET login = @login, role = @role, account_email = @account_email, name = @name, updated_at = @now
       WHERE sub = @sub`,
    ),
    updatePreferencesEmail: db.prepare('UPDATE users SET preferences_email = ?, updated_at = ? WHERE id = ?'),

    credential: db.prepare<[number, string], { secret_hash: string }>(
      'SELECT secret_hash FROM credentials WHERE user_id = ? AND type = ?',
    ),
    upsertCredential: db.prepare(
      `INSERT INTO credentials (user_id, type, secret_hash, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, type) DO UPDATE SET secret_hash = excluded.secret_hash, updated_at = excluded.updated_at`,
    ),
    deleteCredential: db.prepare('DELETE FROM credentials WHERE user_id = ? AND type = ?'),

    session: db.prepare<[string, number], SessionRow>('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?'),
    insertSession: db.prepare(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, auth_method, idp_sid, id_token, created_at, expires_at)
       VALUES (@id_hash, @user_id, @csrf_token, @auth_method, @idp_sid, @id_token, @created_at, @expires_at)`,
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    deleteSessionsByIdpSid: db.prepare('DELETE FROM sessions WHERE idp_sid = ?'),
    deleteSessionsByIdpSidAndSub: db.prepare(
      'DELETE FROM sessions WHERE idp_sid = ? AND user_id IN (SELECT id FROM users WHERE sub = ?)',
    ),
    deleteSessionsBySub: db.prepare('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE sub = ?)'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),

    insertFlow: db.prepare(
      `INSERT INTO sign_in_flows (state, session_hash, nonce, code_verifier, return_to, expires_at)
       VALUES (@state, @session_hash, @nonce, @code_verifier, @return_to, @expires_at)`,
    ),
    flow: db.prepare<[string, number], SignInFlowRow>('SELECT * FROM sign_in_flows WHERE state = ? AND expires_at > ?'),
    deleteFlow: db.prepare('DELETE FROM sign_in_flows WHERE state = ?'),
    deleteExpiredFlows: db.prepare('DELETE FROM sign_in_flows WHERE expires_at <= ?'),

    insertJti: db.prepare('INSERT OR IGNORE INTO logout_token_jtis (jti, expires_at) VALUES (?, ?)'),
    deleteExpiredJtis: db.prepare('DELETE FROM logout_token_jtis WHERE expires_at <= ?'),

    notesByUser: db.prepare<[number], NoteRow>('SELECT * FROM notes WHERE user_id = ? ORDER BY id'),
    insertNote: db.prepare('INSERT INTO notes (user_id, text, created_at) VALUES (?, ?, ?)'),
    noteById: db.prepare<[number | bigint], NoteRow>('SELECT * FROM notes WHERE id = ?'),
  };

  return {
    findUserBySub: (sub: string) => stmt.userBySub.get(sub),
    findUserById: (id: number) => stmt.userById.get(id),
    findUsersByLogin: (login: string) => stmt.usersByLogin.all(login),

    /** Creates the user on first sign-in or refreshes the IdP-owned fields; never touches preferences_email. */
    upsertUserFromIdp: db.transaction(
      (input: { sub: string; login: string; role: Role; accountEmail: string | null; name: string | null }, now: number) => {
        const params = {
          sub: input.sub,
          login: input.login,
          role: input.role,
          account_email: input.accountEmail,
          name: input.name,
          now,
        };
        const existing = stmt.userBySub.get(input.sub);
        if (existing) stmt.updateUserFromIdp.run(params);
        else stmt.insertUser.run({ ...params, preferences_email: input.login });
        return stmt.userBySub.get(input.sub)!;
      },
    ),
    updatePreferencesEmail: (userId: number, email: string, now: number) => {
      stmt.updatePreferencesEmail.run(email, now, userId);
    },

    findPasswordHash: (userId: number) => stmt.credential.get(userId, 'password')?.secret_hash,
    setPasswordHash: (userId: number, hash: string, now: number) => {
      stmt.upsertCredential.run(userId, 'password', hash, now);
    },
    clearPassword: (userId: number) => stmt.deleteCredential.run(userId, 'password').changes > 0,

    findSession: (idHash: string, now: number) => stmt.session.get(idHash, now),
    insertSession: (row: SessionRow) => {
      stmt.insertSession.run(row);
    },
    deleteSession: (idHash: string) => {
      stmt.deleteSession.run(idHash);
    },
    deleteSessionsByIdpSid: (sid: string, sub?: string) =>
      sub === undefined ? stmt.deleteSessionsByIdpSid.run(sid).changes : stmt.deleteSessionsByIdpSidAndSub.run(sid, sub).changes,
    deleteSessionsBySub: (sub: string) => stmt.deleteSessionsBySub.run(sub).changes,

    insertSignInFlow: (row: SignInFlowRow) => {
      stmt.insertFlow.run(row);
    },
    /** Reads and deletes a flow in one step, so a state can be used once. */
    takeSignInFlow: db.transaction((state: string, now: number) => {
      const row = stmt.flow.get(state, now);
      stmt.deleteFlow.run(state);
      return row;
    }),

    /** Records a logout token jti; false when it was seen before (a replay). */
    recordLogoutJti: (jti: string, expiresAt: number) => stmt.insertJti.run(jti, expiresAt).changes === 1,

    listNotes: (userId: number) => stmt.notesByUser.all(userId),
    addNote: (userId: number, text: string, now: number) => {
      const { lastInsertRowid } = stmt.insertNote.run(userId, text, now);
      return stmt.noteById.get(lastInsertRowid)!;
    },

    deleteExpired: (now: number) => {
      stmt.deleteExpiredSessions.run(now);
      stmt.deleteExpiredFlows.run(now);
      stmt.deleteExpiredJtis.run(now);
    },
  };
}

export type Repository = ReturnType<typeof createRepository>;
