/**
 * Who belongs to a database: the lists people see, invitations (invite, accept, decline), removal,
 * leaving, and the operator's change of a sign-in login.
 *
 * Invariants:
 * - A membership's `login` is fixed when it is created (the owner's account email at creation; the
 *   invited address for an invitation). Changing the account email never changes it; only the
 *   operator (`setLogin`, audited) does. Within a database, logins are unique.
 * - An invitation is accepted only by a signed-in account whose *verified* email equals the invited
 *   address; the mailed token only locates it (stored as its SHA-256). It expires after INVITATION_TTL
 *   and is used at most once (activation is conditional, inside a transaction).
 * - The owner is never removed and never leaves: ownership is transferred first (lifecycle).
 * - Losing a membership ends the access it gave at once (`endAccess`), not at the next sign-in.
 * - An owner sees the members of its database; a member sees only its own membership.
 * - Invitations are mail from the IdP's own address with words a database chose: pending and daily
 *   invitations are limited per database and per owner (abuse-limits.ts) unless the operator invites,
 *   and the mail quotes the name, naming the URL only for a trusted database (mail/messages.ts).
 */
import type { Account } from '../accounts/types.ts';
import type { AccountService } from '../accounts/account-service.ts';
import { normalizeEmail } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { msg } from '../i18n/translator.ts';
import { ABUSE_LIMITS, PENDING_INVITATIONS, refuseOverLimit, tryAgainIn } from '../security/abuse-limits.ts';
import type { RateLimiter } from '../security/rate-limiter.ts';
import { randomId, randomToken, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { ClientRegistry } from './client-registry.ts';
import type { DatabaseRepository } from './database-repository.ts';
import { membershipView as membershipViewIn, requireDatabase as requireDatabaseIn, requireManager, TRUSTED_CLIENT_METADATA, type MembershipView, type MemberView } from './database-rules.ts';
import { actorLabel, type Actor, type Database, type Membership } from './types.ts';

export const INVITATION_TTL = 14 * 24 * 3600;

export interface MembershipsDeps {
  repo: DatabaseRepository;
  accounts: Pick<AccountService, 'findById' | 'findByEmail'>;
  outbox: Outbox;
  audit: AuditRepository;
  limiter: RateLimiter;
  /** The database's client, for its trust flag (the invitation mail names a trusted database's URL). */
  clients: Pick<ClientRegistry, 'find'>;
  issuer: () => string;
  /** Ends what an account holds at a database once it stops being a member (see DatabaseServiceDeps). */
  endAccess?: (accountId: string, clientId: string) => Promise<unknown>;
}

export function databaseMemberships(deps: MembershipsDeps) {
  const { repo, accounts, audit, limiter } = deps;
  const { outbox } = deps;
  const requireDatabase = (id: string) => requireDatabaseIn(repo, id);
  const membershipView = (m: Membership) => membershipViewIn(repo, m);

  /** Throws 429 when `database` may not mail one more invitation now (see abuse-limits.ts). */
  async function refuseInvitationFlood(database: Database, now: number): Promise<void> {
    const pending = [
      { ...await repo.pendingInvitationsOf(database.id, now), limit: PENDING_INVITATIONS.perDatabase, says: msg('{{database}} has {{max}} invitations waiting for an answer, the most a database may have. Withdraw some, or wait until they are answered or expire.') },
      { ...await repo.pendingInvitationsOfOwner(database.ownerId, now), limit: PENDING_INVITATIONS.perOwner, says: msg('The databases of this owner have {{max}} invitations waiting for an answer, the most an owner may have. Withdraw some, or wait until they are answered or expire.') },
    ];
    for (const p of pending) {
      if (p.count < p.limit.max) continue;
      // overLimit's answer (abuse-limits.ts), with the sentence's {{database}} and {{max}} filled in.
      const wait = Math.max(1, Math.ceil((p.firstExpiry ?? now + 1) - now));
      throw new AppError('too_many_requests', p.says, { params: { database: database.name, max: p.limit.max }, followedBy: tryAgainIn(wait), headers: { 'Retry-After': String(wait) } });
    }
    await refuseOverLimit(limiter, [
      [`invite:database:${database.id}`, ABUSE_LIMITS.invitationsPerDatabase],
      [`invite:owner:${database.ownerId}`, ABUSE_LIMITS.invitationsPerOwner],
    ]);
  }

  async function members(databaseId: string): Promise<MemberView[]> {
    return Promise.all((await repo.membersOf(databaseId)).map(async (m) => ({ ...m, name: m.accountId ? ((await accounts.findById(m.accountId))?.name ?? null) : null })));
  }

  async function pendingInvitationFor(membershipId: string, account: Account): Promise<MembershipView> {
    const m = await repo.membership(membershipId);
    const view = m && m.status === 'invited' && (m.inviteExpiresAt ?? 0) > nowSeconds() ? await membershipView(m) : undefined;
    if (!view) throw new AppError('gone', 'This invitation was withdrawn, already answered or has expired.');
    if (normalizeEmail(view.login) !== normalizeEmail(account.email) || !account.emailVerifiedAt) {
      throw new AppError('forbidden', 'This invitation is for {{login}}. Sign in with the account that has this confirmed email address.', { params: { login: view.login } });
    }
    return view;
  }

  return {
    /** The database manager's list: every active membership plus pending invitations to the verified email. */
    async listForAccount(account: Account): Promise<MembershipView[]> {
      const now = nowSeconds();
      const memberships = (await repo.listForAccount(account.id, account.email, account.emailVerifiedAt ? 1 : 0))
        .filter((m) => m.status === 'active' || (m.inviteExpiresAt ?? 0) > now);
      return (await Promise.all(memberships.map(membershipView))).filter((m): m is MembershipView => m !== undefined);
    },

    /** The account's role at a database (active memberships only), with the database's name for messages. */
    async roleOf(databaseId: string, accountId: string): Promise<{ role: Membership['role']; databaseName: string } | undefined> {
      const database = await repo.findById(databaseId);
      const membership = database && await repo.membershipOf(database.id, accountId);
      return membership ? { role: membership.role, databaseName: database.name } : undefined;
    },

    /** What an account may see of a database: the owner sees members, a member only itself. */
    async view(databaseId: string, accountId: string): Promise<{ database: Database; membership: Membership; members: MemberView[] }> {
      const database = await requireDatabase(databaseId);
      const membership = await repo.membershipOf(database.id, accountId);
      if (!membership) throw new AppError('not_found', 'This database does not exist, or you are not a member of it.');
      return { database, membership, members: membership.role === 'owner' ? await members(database.id) : [] };
    },

    members,

    async invite(databaseId: string, email: string, actor: Actor): Promise<Membership> {
      const database = await requireDatabase(databaseId);
      requireManager(database, actor);
      const login = normalizeEmail(email);
      const existing = await repo.membershipByLogin(database.id, login);
      if (existing) {
        const says = existing.status === 'invited' ? msg('{{login}} is already invited to {{database}}.') : msg('{{login}} is already a member of {{database}}.');
        throw new AppError('conflict', says, { params: { login, database: database.name }, fields: { email: msg('Already invited or a member.') } });
      }
      const invitee = await accounts.findByEmail(login);
      if (invitee && await repo.membershipOf(database.id, invitee.id)) {
        throw new AppError('conflict', 'The account with {{login}} is already a member of {{database}}.', { params: { login, database: database.name }, fields: { email: msg('Already a member.') } });
      }
      const now = nowSeconds();
      if (actor.kind !== 'operator') await refuseInvitationFlood(database, now);
      const token = randomToken();
      const membership: Membership = {
        id: randomId('mem_'), databaseId: database.id, accountId: null, login, role: 'member', status: 'invited',
        invitedBy: actorLabel(actor), inviteExpiresAt: now + INVITATION_TTL, createdAt: now, updatedAt: now,
      };
      await repo.insertMembership({ ...membership, inviteTokenHash: sha256(token) });
      await audit.record({ accountId: database.ownerId, actor: actorLabel(actor), event: 'database.member_invited', data: { database: database.name, login } });
      const trusted = (await deps.clients.find(database.clientId))?.[TRUSTED_CLIENT_METADATA] === true;
      await outbox.send({ email: login, locale: invitee?.locale }, 'databaseInvitation', { database: database.name, url: trusted ? database.url : undefined, login, token });
      return membership;
    },

    /** The invitation behind a mailed link, if it is still pending. */
    async invitationByToken(token: string): Promise<MembershipView | undefined> {
      const m = await repo.membershipByInviteHash(sha256(token));
      return m && (m.inviteExpiresAt ?? 0) > nowSeconds() ? await membershipView(m) : undefined;
    },

    pendingInvitationFor,

    async acceptInvitation(membershipId: string, account: Account): Promise<MembershipView> {
      const view = await pendingInvitationFor(membershipId, account);
      await repo.transaction(async () => {
        if (await repo.membershipOf(view.databaseId, account.id)) throw new AppError('conflict', 'You are already a member of {{database}}.', { params: { database: view.database.name } });
        if (!await repo.activate(view.id, account.id, nowSeconds())) throw new AppError('gone', 'This invitation was withdrawn or already used.');
      });
      await audit.record({ accountId: account.id, actor: account.id, event: 'database.invitation_accepted', data: { database: view.database.name, login: view.login } });
      return { ...view, accountId: account.id, status: 'active' };
    },

    async declineInvitation(membershipId: string, account: Account): Promise<void> {
      const view = await pendingInvitationFor(membershipId, account);
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
      // A non-member gets the answer of an unknown id: the name of a database is not theirs to learn.
      const database = await requireDatabase(databaseId);
      const m = await repo.membershipOf(database.id, account.id);
      if (!m) throw new AppError('not_found', 'This database does not exist, or was deleted.');
      if (m.role === 'owner') throw new AppError('bad_request', 'You own {{database}}: transfer the ownership to another member, or delete the database.', { params: { database: database.name } });
      await repo.deleteMembership(m.id);
      await audit.record({ accountId: account.id, actor: account.id, event: 'database.left', data: { database: database.name } });
      await deps.endAccess?.(account.id, database.clientId);
    },

    /** Support only: changes the sign-in login of one membership, recorded in the audit log. */
    async setLogin(databaseName: string, accountEmail: string, newLogin: string, actor: Actor): Promise<{ database: Database; oldLogin: string; newLogin: string }> {
      const database = await repo.findByName(databaseName.trim());
      if (!database) throw new AppError('not_found', 'No database is named "{{name}}".', { params: { name: databaseName } });
      const account = await accounts.findByEmail(accountEmail);
      const m = account && await repo.membershipOf(database.id, account.id);
      if (!account || !m) throw new AppError('not_found', 'No account with the email {{email}} is a member of {{database}}.', { params: { email: accountEmail, database: database.name } });
      const login = normalizeEmail(newLogin);
      const taken = await repo.membershipByLogin(database.id, login);
      if (taken && taken.id !== m.id) throw new AppError('conflict', '{{login}} is already the login of another member of {{database}}.', { params: { login, database: database.name } });
      await repo.setLogin(m.id, login, nowSeconds());
      await audit.record({ accountId: account.id, actor: actorLabel(actor), event: 'membership.login_changed', data: { database: database.name, old: m.login, new: login, ...(actor.kind === 'operator' && actor.reason ? { reason: actor.reason } : {}) } });
      return { database, oldLogin: m.login, newLogin: login };
    },
  };
}

export type DatabaseMemberships = ReturnType<typeof databaseMemberships>;
