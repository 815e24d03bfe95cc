/**
 * Ending sessions and telling relying parties. Used by "log out from all devices", signing one device
 * out, password change and reset, account deletion, and the operator's `idp session end`.
 *
 * Invariant: ending a session deletes its oidc-provider Session row, its device row, and every grant
 * (with its refresh and access tokens) that is not held by a session that stays; then every client that
 * had a session in an ended one and registered a backchannel_logout_uri gets an OpenID Connect
 * Back-Channel Logout token (sub + sid), sent by oidc-provider's own Client#backchannelLogout. Delivery
 * is best effort: a relying party that does not answer never blocks the person's action.
 */
import type { DeviceSummary } from '../../../shared/account-api.ts';
import { log } from '../log.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { SessionRepository, StoredSession } from './session-repository.ts';
import { describeUserAgent } from './user-agent.ts';

/**
 * The relying parties as oidc-provider knows them (oidc/provider.ts fulfils it). Before the provider
 * exists (an operator command that built none), nobody is told and client ids stand for names.
 */
export interface RelyingParties {
  /** Sends an OpenID Connect Back-Channel Logout token; false when the client registered no URI. */
  backchannelLogout(clientId: string, sub: string, sid?: string): Promise<boolean>;
  clientName(clientId: string): Promise<string | undefined>;
}

/** A database or app holding a live grant of the account. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  /** When it last got a token (signing in, or refreshing). */
  lastUsedAt: string | null;
  /** It holds a refresh token: it can act while the person is away. */
  offlineAccess: boolean;
}

export interface LogoutNotice {
  clientId: string;
  sub: string;
  sid?: string;
}

export function sessionService(deps: { repo: SessionRepository; relyingParties: RelyingParties; audit: AuditRepository }) {
  const { repo, audit } = deps;

  async function notify(notices: LogoutNotice[]): Promise<number> {
    if (notices.length === 0) return 0;
    const results = await Promise.all(notices.map(async (n) => {
      try {
        return await deps.relyingParties.backchannelLogout(n.clientId, n.sub, n.sid);
      } catch (error) {
        log.warn(`back-channel logout to ${n.clientId} failed: ${String((error as Error)?.message ?? error)}`);
        return false;
      }
    }));
    return results.filter(Boolean).length;
  }

  /** Ends the chosen sessions; grants held by no remaining session are revoked too when `orphanGrants`. */
  async function end(accountId: string, shouldEnd: (s: StoredSession) => boolean, orphanGrants: boolean): Promise<{ sessions: number; notified: number }> {
    const notices: LogoutNotice[] = [];
    const ended = await repo.transaction(async () => {
      const sessions = await repo.listSessions(accountId);
      const ending = sessions.filter(shouldEnd);
      const staying = sessions.filter((s) => !shouldEnd(s));
      const keptGrants = new Set(staying.flatMap((s) => Object.values(s.authorizations).map((a) => a.grantId)).filter(Boolean));
      const endingGrants = new Set(ending.flatMap((s) => Object.values(s.authorizations).map((a) => a.grantId)).filter(Boolean));
      for (const s of ending) {
        await repo.deleteSession(s.id);
        await repo.deleteDevice(s.uid);
        for (const [clientId, a] of Object.entries(s.authorizations)) notices.push({ clientId, sub: accountId, sid: a.sid });
      }
      for (const grant of await repo.listGrants(accountId)) {
        if (keptGrants.has(grant.id)) continue;
        if (orphanGrants || endingGrants.has(grant.id)) await repo.revokeGrant(grant.id);
      }
      return ending.length;
    });
    const notified = await notify(notices);
    return { sessions: ended, notified };
  }

  const service = {
    /** "Log out from all devices": every session but `currentUid`, and every grant it does not hold. */
    async endOtherSessions(accountId: string, currentUid: string | undefined, actor = accountId) {
      const result = await end(accountId, (s) => s.uid !== currentUid, true);
      await audit.record({ accountId, actor, event: 'sessions.ended_others', data: { sessions: result.sessions } });
      return result;
    },
    /**
     * Every session, grant and token of the account (password reset, deletion, lockdown, and support's
     * `idp session end`, which names itself as `actor: 'operator'` with the reason it gave).
     */
    async endAllSessions(accountId: string, by: { actor?: string; reason?: string } = {}) {
      const result = await end(accountId, () => true, true);
      await repo.deleteAllOf(accountId);
      await audit.record({ accountId, actor: by.actor ?? accountId, event: 'sessions.ended_all', data: { sessions: result.sessions, ...(by.reason ? { reason: by.reason } : {}) } });
      return result;
    },
    /** Signs one device out. Returns false when it is not a session of this account. */
    async endSession(accountId: string, sessionUid: string): Promise<boolean> {
      const result = await end(accountId, (s) => s.uid === sessionUid, false);
      if (result.sessions > 0) await audit.record({ accountId, actor: accountId, event: 'session.ended', data: { sessionUid } });
      return result.sessions > 0;
    },
    /**
     * Ends what the account holds at one client (a database it no longer belongs to): every grant with
     * its tokens, and the client's sessions through back-channel logout. The IdP sessions themselves
     * stay: the person is still signed in to the IdP and to other databases.
     */
    async endClientAccess(accountId: string, clientId: string): Promise<{ notified: number }> {
      const notices: LogoutNotice[] = [];
      await repo.transaction(async () => {
        for (const s of await repo.listSessions(accountId)) {
          const held = s.authorizations[clientId];
          if (held) notices.push({ clientId, sub: accountId, sid: held.sid });
        }
        for (const grant of await repo.listGrants(accountId)) {
          if (grant.clientId === clientId) await repo.revokeGrant(grant.id);
        }
      });
      return { notified: await notify(notices) };
    },
    /** Called whenever a session signs in or is used: first and last activity of the browser. */
    async recordActivity(input: { uid: string; accountId: string; userAgent?: string; ip?: string }): Promise<void> {
      await repo.recordDevice({ uid: input.uid, accountId: input.accountId, userAgent: (input.userAgent ?? '').slice(0, 512), ip: input.ip ?? null });
    },
    isKnownDevice: repo.isKnownDevice,
    countKnownDevices: repo.countKnownDevices,
    addKnownDevice: repo.addKnownDevice,
    forgetKnownDevices: repo.forgetKnownDevices,

    /** Signed-in devices (live sessions), newest activity first, with the apps each holds. */
    async listDevices(accountId: string, currentUid?: string): Promise<DeviceSummary[]> {
      const devices = new Map((await repo.listDevices(accountId)).map((d) => [d.session_uid, d]));
      const names = await clientNames(deps.relyingParties, (await repo.listSessions(accountId)).flatMap((s) => Object.keys(s.authorizations)));
      return (await repo.listSessions(accountId)).map((s) => {
        const d = devices.get(s.uid);
        const ua = describeUserAgent(d?.user_agent);
        const first = d?.first_seen_at ?? s.loginTs ?? 0;
        return {
          id: s.uid,
          browser: ua.browser,
          os: ua.os,
          ip: d?.ip ?? null,
          firstSeenAt: new Date(first * 1000).toISOString(),
          lastSeenAt: new Date((d?.last_seen_at ?? first) * 1000).toISOString(),
          current: s.uid === currentUid,
          apps: Object.keys(s.authorizations).map((c) => names.get(c) ?? c),
        };
      }).sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
    },
    /**
     * Databases and apps that hold a live grant (with its tokens) of the account, most recently used
     * first; `except` leaves out clients that are this site itself (the portal).
     */
    async connectedApps(accountId: string, except: readonly string[] = []): Promise<ConnectedApp[]> {
      const byClient = new Map<string, { lastUsed: number; refresh: boolean }>();
      for (const use of await repo.listGrantUse(accountId)) {
        if (except.includes(use.clientId)) continue;
        const seen = byClient.get(use.clientId) ?? { lastUsed: 0, refresh: false };
        seen.lastUsed = Math.max(seen.lastUsed, use.iat ?? 0);
        seen.refresh ||= use.model === 'RefreshToken';
        byClient.set(use.clientId, seen);
      }
      const names = await clientNames(deps.relyingParties, [...byClient.keys()]);
      return [...byClient].map(([clientId, s]) => ({
        clientId, name: names.get(clientId) ?? clientId, lastUsedAt: s.lastUsed ? new Date(s.lastUsed * 1000).toISOString() : null, offlineAccess: s.refresh,
      })).sort((a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''));
    },
    /**
     * "Sign out of this database": revokes its grants and tokens and tells it by back-channel logout
     * (endClientAccess). False when it holds nothing of the account.
     */
    async signOutOfApp(accountId: string, clientId: string): Promise<false | { notified: number }> {
      const held = (await repo.listGrants(accountId)).some((g) => g.clientId === clientId);
      if (!held) return false;
      const names = await clientNames(deps.relyingParties, [clientId]);
      const result = await service.endClientAccess(accountId, clientId);
      await audit.record({ accountId, actor: accountId, event: 'app.signed_out', clientId, data: { name: names.get(clientId) ?? clientId, notified: result.notified } });
      return result;
    },
    /** Applications holding refresh tokens of the account (databases, the extension). */
    async appsWithTokens(accountId: string): Promise<{ clientId: string; name: string }[]> {
      const ids = await repo.clientsWithRefreshTokens(accountId);
      const names = await clientNames(deps.relyingParties, ids);
      return ids.map((id) => ({ clientId: id, name: names.get(id) ?? id }));
    },
    /** Whether `sessionUid` is a live session of the account. */
    async hasSession(accountId: string, sessionUid: string): Promise<boolean> {
      return (await repo.listSessions(accountId)).some((s) => s.uid === sessionUid);
    },
    async countSessions(accountId: string): Promise<number> {
      return (await repo.listSessions(accountId)).length;
    },
  };
  return service;
}

/** Display names of clients by id (the id itself when unknown). */
export async function clientNames(relyingParties: RelyingParties, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    names.set(id, (await relyingParties.clientName(id).catch(() => undefined)) ?? id);
  }
  return names;
}

export type SessionService = ReturnType<typeof sessionService>;
