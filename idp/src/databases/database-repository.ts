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
  const one = <T, R>(sql: string, map: (r: R) => T) =>
    async (...args: unknown[]): Promise<T | undefined> => {
      const row = await db.get<R>(sql, args);
      return row && map(row);
    };
  const many = <T, R>(sql: string, map: (r: R) => T) =>
    async (...args: unknown[]): Promise<T[]> => (await db.all<R>(sql, args)).map(map);
  return {
    findById: one('SELECT * FROM databases WHERE id = ?', toDatabase),
    findByName: one('SELECT * FROM databases WHERE name = ?', toDatabase),
    findByClientId: one('SELECT * FROM databases WHERE client_id = ?', toDatabase),
    listAll: many('SELECT * FROM databases ORDER BY name', toDatabase),
    listOwnedBy: many('SELECT * FROM databases WHERE owner_id = ? ORDER BY name', toDatabase),
    async insert(d: Database): Promise<void> {
      await db.run('INSERT INTO databases (id, name, url, client_id, owner_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [d.id, d.name, d.url, d.clientId, d.ownerId, d.createdAt]);
    },
    async setOwner(databaseId: string, ownerId: string): Promise<void> {
      await db.run('UPDATE databases SET owner_id = ? WHERE id = ?', [ownerId, databaseId]);
    },
    async delete(databaseId: string): Promise<void> {
      await db.run('DELETE FROM databases WHERE id = ?', [databaseId]);
    },

    membership: one('SELECT * FROM memberships WHERE id = ?', toMembership),
    membershipOf: one("SELECT * FROM memberships WHERE database_id = ? AND account_id = ? AND status = 'active'", toMembership),
    membershipByLogin: one('SELECT * FROM memberships WHERE database_id = ? AND login = ?', toMembership),
    membershipByInviteHash: one("SELECT * FROM memberships WHERE invite_token_hash = ? AND status = 'invited'", toMembership),
    membersOf: many("SELECT * FROM memberships WHERE database_id = ? ORDER BY role = 'member', status, login", toMembership),
    /** Active memberships of an account, and pending invitations to its email address when `verified` is 1. */
    listForAccount: many(`SELECT * FROM memberships WHERE (account_id = ? AND status = 'active') OR (status = 'invited' AND login = ? AND ? = 1)
      ORDER BY created_at`, toMembership),
    /** Pending invitations of one database, and when the first of them expires. */
    async pendingInvitationsOf(databaseId: string, now: number): Promise<{ count: number; firstExpiry: number | null }> {
      const row = await db.get<{ count: number | string; first_expiry: number | string | null }>(`SELECT count(*) AS count, min(invite_expires_at) AS first_expiry
        FROM memberships WHERE database_id = ? AND status = 'invited' AND invite_expires_at > ?`, [databaseId, now]);
      return { count: Number(row?.count ?? 0), firstExpiry: row?.first_expiry == null ? null : Number(row.first_expiry) };
    },
    /** Pending invitations of every database an account owns, and when the first of them expires. */
    async pendingInvitationsOfOwner(ownerId: string, now: number): Promise<{ count: number; firstExpiry: number | null }> {
      const row = await db.get<{ count: number | string; first_expiry: number | string | null }>(`SELECT count(*) AS count, min(m.invite_expires_at) AS first_expiry
        FROM memberships m JOIN databases d ON d.id = m.database_id
        WHERE d.owner_id = ? AND m.status = 'invited' AND m.invite_expires_at > ?`, [ownerId, now]);
      return { count: Number(row?.count ?? 0), firstExpiry: row?.first_expiry == null ? null : Number(row.first_expiry) };
    },
    async insertMembership(m: Membership & { inviteTokenHash: string | null }): Promise<void> {
      await db.run(`INSERT INTO memberships (id, database_id, account_id, login, role, status, invite_token_hash, invite_expires_at, invited_by, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [m.id, m.databaseId, m.accountId, m.login, m.role, m.status, m.inviteTokenHash,
        m.inviteExpiresAt, m.invitedBy, m.createdAt, m.updatedAt]);
    },
    /** Turns a pending invitation into a membership; false when it is no longer pending (withdrawn, taken). */
    async activate(membershipId: string, accountId: string, now: number): Promise<boolean> {
      return (await db.run(`UPDATE memberships SET account_id = ?, status = 'active', invite_token_hash = NULL, invite_expires_at = NULL, updated_at = ?
        WHERE id = ? AND status = 'invited'`, [accountId, now, membershipId])).changes === 1;
    },
    async setRole(membershipId: string, role: Role, now: number): Promise<void> {
      await db.run('UPDATE memberships SET role = ?, updated_at = ? WHERE id = ?', [role, now, membershipId]);
    },
    async setLogin(membershipId: string, login: string, now: number): Promise<void> {
      await db.run('UPDATE memberships SET login = ?, updated_at = ? WHERE id = ?', [login, now, membershipId]);
    },
    async deleteMembership(membershipId: string): Promise<void> {
      await db.run('DELETE FROM memberships WHERE id = ?', [membershipId]);
    },

    async insertRegistrationToken(tokenHash: string, ownerId: string, now: number, expiresAt: number): Promise<void> {
      await db.run('INSERT INTO registration_tokens (token_hash, owner_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [tokenHash, ownerId, now, expiresAt]);
    },
    /** Deletes a live token and returns its owner, atomically (a token registers one database). */
    async takeRegistrationToken(tokenHash: string, now: number): Promise<string | undefined> {
      const row = await db.get<{ owner_id: string; expires_at: number }>('DELETE FROM registration_tokens WHERE token_hash = ? RETURNING owner_id, expires_at', [tokenHash]);
      return row && row.expires_at > now ? row.owner_id : undefined;
    },

    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
  };
}

export type DatabaseRepository = ReturnType<typeof databaseRepository>;
