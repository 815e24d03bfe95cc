/**
 * The database's domain logic: users, sessions, the database-specific password, preferences and
 * notes. It never sees a Koa context; routes parse input and call it.
 *
 * Security rules kept here:
 * - A session cookie carries a random secret; only its SHA-256 is stored. Signing in always issues
 *   a fresh session (no fixation) and deletes the pre-sign-in one.
 * - The database-specific password is extra, never instead: a failed or impossible local check
 *   says nothing about why, and the caller sends the person to the IdP with a login hint.
 * - `login` is owned by the IdP; "My Preferences" only changes `preferences_email`.
 */
import crypto from 'node:crypto';
import argon2 from 'argon2';
import { AppError } from './errors.ts';
import type { Repository, Role, SessionRow, UserRow } from './repository.ts';

export const MIN_PASSWORD_LENGTH = 8;
const ANONYMOUS_SESSION_MS = 60 * 60 * 1000;
const SIGNED_IN_SESSION_MS = 8 * 60 * 60 * 1000;

const argonOptions = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface IdpIdentity {
  sub: string;
  login: string;
  role: Role;
  email: string | null;
  name: string | null;
  sid: string | null;
  idToken: string | null;
}

export interface NewSession {
  /** The cookie value; shown once, never stored. */
  secret: string;
  session: SessionRow;
}

export function hashSessionSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('base64url');
}

export function createDatabaseService(repo: Repository, now: () => number = Date.now) {
  // A real hash to verify against when there is nothing to check, so every local sign-in attempt
  // costs the same whether the user exists, has a password or typed it wrong.
  const dummyHash = argon2.hash(crypto.randomBytes(16).toString('hex'), argonOptions);

  function newSession(fields: Pick<SessionRow, 'user_id' | 'auth_method' | 'idp_sid' | 'id_token'>, lifetimeMs: number): NewSession {
    const secret = crypto.randomBytes(32).toString('base64url');
    const created = now();
    const session: SessionRow = {
      id_hash: hashSessionSecret(secret),
      csrf_token: crypto.randomBytes(24).toString('base64url'),
      created_at: created,
      expires_at: created + lifetimeMs,
      ...fields,
    };
    repo.insertSession(session);
    return { secret, session };
  }

  return {
    findSession(secret: string): { session: SessionRow; user: UserRow | null } | null {
      const session = repo.findSession(hashSessionSecret(secret), now());
      if (!session) return null;
      const user = session.user_id === null ? null : (repo.findUserById(session.user_id) ?? null);
      return { session, user };
    },

    /** A session with no user, holding the CSRF token of the sign-in forms and binding sign-in flows. */
    startAnonymousSession(): NewSession {
      repo.deleteExpired(now());
      return newSession({ user_id: null, auth_method: null, idp_sid: null, id_token: null }, ANONYMOUS_SESSION_MS);
    },

    endSession(session: SessionRow) {
      repo.deleteSession(session.id_hash);
    },

    /** Records a started sign-in at the IdP; the state can be redeemed once, by the same browser session. */
    recordSignInFlow(session: SessionRow, flow: { state: string; nonce: string; codeVerifier: string; returnTo: string }) {
      repo.insertSignInFlow({
        state: flow.state,
        session_hash: session.id_hash,
        nonce: flow.nonce,
        code_verifier: flow.codeVerifier,
        return_to: flow.returnTo,
        expires_at: now() + 10 * 60 * 1000,
      });
    },

    takeSignInFlow(session: SessionRow | null, state: string) {
      const flow = repo.takeSignInFlow(state, now());
      if (!flow || !session || flow.session_hash !== session.id_hash) {
        throw new AppError(
          'sign_in_failed',
          'This sign-in link has expired or was opened in another browser. Please start signing in again.',
        );
      }
      return flow;
    },

    /** Completes an SSO sign-in: creates or refreshes the user from the IdP claims, issues a fresh session. */
    signInWithIdp(previous: SessionRow | null, identity: IdpIdentity): NewSession & { user: UserRow } {
      const user = repo.upsertUserFromIdp(
        { sub: identity.sub, login: identity.login, role: identity.role, accountEmail: identity.email, name: identity.name },
        now(),
      );
      if (previous) repo.deleteSession(previous.id_hash);
      const created = newSession(
        { user_id: user.id, auth_method: 'sso', idp_sid: identity.sid, id_token: identity.idToken },
        SIGNED_IN_SESSION_MS,
      );
      return { ...created, user };
    },

    /**
     * Checks a database-specific password for a sign-in login. Returns the new session, or null for
     * every kind of failure (unknown login, no database password, wrong password) alike.
     */
    async signInWithDatabasePassword(previous: SessionRow | null, login: string, password: string): Promise<(NewSession & { user: UserRow }) | null> {
      const candidates = repo
        .findUsersByLogin(login)
        .map((user) => ({ user, hash: repo.findPasswordHash(user.id) }))
        .filter((entry): entry is { user: UserRow; hash: string } => entry.hash !== undefined);
      let matched: UserRow | null = null;
      if (candidates.length === 0) {
        await argon2.verify(await dummyHash, password).catch(() => false);
      }
      for (const { user, hash } of candidates) {
        if (await argon2.verify(hash, password).catch(() => false)) {
          matched = user;
          break;
        }
      }
      if (!matched) return null;
      if (previous) repo.deleteSession(previous.id_hash);
      const created = newSession({ user_id: matched.id, auth_method: 'password', idp_sid: null, id_token: null }, SIGNED_IN_SESSION_MS);
      return { ...created, user: matched };
    },

    hasDatabasePassword(user: UserRow): boolean {
      return repo.findPasswordHash(user.id) !== undefined;
    },

    async setDatabasePassword(user: UserRow, password: string) {
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new AppError('bad_request', `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
      }
      repo.setPasswordHash(user.id, await argon2.hash(password, argonOptions), now());
    },

    clearDatabasePassword(user: UserRow) {
      repo.clearPassword(user.id);
    },

    updatePreferencesEmail(user: UserRow, email: string) {
      repo.updatePreferencesEmail(user.id, email, now());
    },

    /** Back-channel logout: ends the sessions of one IdP session, or all of a subject's sessions. */
    endSessionsFromIdp(target: { sid?: string; sub?: string }): number {
      if (target.sid) return repo.deleteSessionsByIdpSid(target.sid, target.sub);
      if (target.sub) return repo.deleteSessionsBySub(target.sub);
      return 0;
    },

    /** Records a logout token id; false when it was already used. */
    acceptLogoutTokenOnce(jti: string, expiresAt: number): boolean {
      repo.deleteExpired(now());
      return repo.recordLogoutJti(jti, expiresAt);
    },

    /** The user behind an API key, created from the introspection answer if they never signed in here. */
    userForApiKey(key: { sub: string; login: string; role?: Role }): UserRow {
      const existing = repo.findUserBySub(key.sub);
      if (existing && existing.login === key.login && (key.role === undefined || key.role === existing.role)) return existing;
      return repo.upsertUserFromIdp(
        {
          sub: key.sub,
          login: key.login,
          role: key.role ?? existing?.role ?? 'member',
          accountEmail: existing?.account_email ?? null,
          name: existing?.name ?? null,
        },
        now(),
      );
    },

    listNotes: (user: UserRow) => repo.listNotes(user.id),
    addNote: (user: UserRow, text: string) => repo.addNote(user.id, text, now()),
  };
}

export type DatabaseService = ReturnType<typeof createDatabaseService>;
