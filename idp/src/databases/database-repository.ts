/** All SQL about databases, memberships and registration token owners. */
import type { Db } from '../storage/database.ts';
import type { Database, Membership, MembershipStatus, Role } from './types.ts';

interface DatabaseRow {
  id: string;
  name: string;
  url: string;
  client_id: string;
  owner_id: string;
  created_at: number;
}

interface MembershipRow {
  id: string;
  database_id: string;
  account_id: string | null;
  login: string;
  role: Role;
  status: MembershipStatus;
  invite_token_hash: string | null;
  invite_expires_at: number | null;
  invited_by: string | null;
  created_at: number;
  updated_at: number;
}

const toDatabase = (r: DatabaseRow): Database => ({ id: r.id, name: r.name, url: r.url, clientId: r.client_id, ownerId: r.owner_id, createdAt: r.created_at });

const toMembership = (r: MembershipRow): Membership => ({
  id: r.id, databaseId: r.database_id, accountId: r.account_id, login: r.login, role: r.role, status: r.status,
  invitedBy: r.invited_by, inviteExpiresAt: r.invite_expires_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

export function databaseRepository(db: Db) {
  const one = <T, R>(stmt: string, map: (r: R) => T) => {
    const prepared = db.prepare(stmt);
    return (...args: unknown[]): T | undefined => {
      const row = prepared.get(...args) as R | undefined;
      return row && map(row);
    };
  };
  const many = <T, R>(stmt: string, map: (r: R) => T) => {
    const prepared = db.prepare(stmt);
    return (...args: unknown[]): T[] => (prepared.all(...args) as R[]).map(map);
  };
  return {
    findById: one('SELECT * FROM databases WHERE id = ?', toDatabase),
    findByName: one('SELECT * FROM databases WHERE name = ?', toDatabase),
    findByClientId: one('SELECT * FROM databases WHERE client_id = ?', toDatabase),
    listAll: many('SELECT * FROM databases ORDER BY name', toDatabase),
    listOwnedBy: many('SELECT * FROM databases WHERE owner_id = ? ORDER BY name', toDatabase),
    insert(d: Database): void {
      db.prepare('INSERT INTO databases (id, name, url, client_id, owner_id, created_at) VALUES (@id, @name, @url, @clientId, @ownerId, @createdAt)').run(d);
    },
    setOwner(databaseId: string, ownerId: string): void {
      db.prepare('UPDATE databases SET owner_id = ? WHERE id = ?').run(ownerId, databaseId);
    },
    delete(databaseId: string): void {
      db.prepare('DELETE FROM databases WHERE id = ?').run(databaseId);
    },

    membership: one('SELECT * FROM memberships WHERE id = ?', toMembership),
    membershipOf: one("SELECT * FROM memberships WHERE database_id = ? AND account_id = ? AND status = 'active'", toMembership),
    membershipByLogin: one('SELECT * FROM memberships WHERE database_id = ? AND login = ?', toMembership),
    membershipByInviteHash: one("SELECT * FROM memberships WHERE invite_token_hash = ? AND status = 'invited'", toMembership),
    membersOf: many("SELECT * FROM memberships WHERE database_id = ? ORDER BY role = 'member', status, login", toMembership),
    /** Active memberships of an account, and pending invitations to its (verified) email address. */
    listForAccount: many(`SELECT * FROM memberships WHERE (account_id = ? AND status = 'active') OR (status = 'invited' AND login = ? AND ?)
      ORDER BY created_at`, toMembership),
    insertMembership(m: Membership & { inviteTokenHash: string | null }): void {
      db.prepare(`INSERT INTO memberships (id, database_id, account_id, login, role, status, invite_token_hash, invite_expires_at, invited_by, created_at, updated_at)
        VALUES (@id, @databaseId, @accountId, @login, @role, @status, @inviteTokenHash, @inviteExpiresAt, @invitedBy, @createdAt, @updatedAt)`).run(m);
    },
    /** Turns a pending invitation into a membership; false when it is no longer pending (withdrawn, taken). */
    activate(membershipId: string, accountId: string, now: number): boolean {
      return db.prepare(`UPDATE memberships SET account_id = ?, status = 'active', invite_token_hash = NULL, invite_expires_at = NULL, updated_at = ?
        WHERE id = ? AND status = 'invited'`).run(accountId, now, membershipId).changes === 1;
    },
    setRole(membershipId: string, role: Role, now: number): void {
      db.prepare('UPDATE memberships SET role = ?, updated_at = ? WHERE id = ?').run(role, now, membershipId);
    },
    setLogin(membershipId: string, login: string, now: number): void {
      db.prepare('UPDATE memberships SET login = ?, updated_at = ? WHERE id = ?').run(login, now, membershipId);
    },
    deleteMembership(membershipId: string): void {
      db.prepare('DELETE FROM memberships WHERE id = ?').run(membershipId);
    },

    insertRegistrationToken(tokenHash: string, ownerId: string, now: number, expiresAt: number): void {
      db.prepare('INSERT INTO registration_tokens (token_hash, owner_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(tokenHash, ownerId, now, expiresAt);
    },
    /** Deletes a live token and returns its owner, atomically (a token registers one database). */
    takeRegistrationToken(tokenHash: string, now: number): string | undefined {
      const row = db.prepare('DELETE FROM registration_tokens WHERE token_hash = ? RETURNING owner_id, expires_at').get(tokenHash) as { owner_id: string; expires_at: number } | undefined;
      return row && row.expires_at > now ? row.owner_id : undefined;
    },

    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}

export type DatabaseRepository = ReturnType<typeof databaseRepository>;
