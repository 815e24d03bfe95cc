/**
 * "What happened to my account": the account's security events as pages of `ActivityEntry`, newest
 * first, within the retention window (older ones are purged by maintenance); the first use of an API
 * key from a new IP address is recorded here. Pure over its repository; never sees an HTTP context.
 *
 * Invariant: every read is scoped by the account id the caller was authenticated as; a cursor is only a
 * position in that account's own list (an id of another account's entry selects nothing of theirs).
 */
import type { ActivityEntry, ActivityPage } from '../../../shared/account-api.ts';
import { nowSeconds } from '../clock.ts';
import type { Translate } from '../i18n/translator.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { deviceLabel } from '../security/user-agent.ts';
import type { ActivityRepository } from './activity-repository.ts';
import { ACTIVITY_RETENTION_DAYS, describeEvent, shownEvents, type ActivityRow } from './types.ts';

const RETENTION_SECONDS = ACTIVITY_RETENTION_DAYS * 24 * 3600;
const EVENTS = Object.keys(shownEvents);

export function activityService(deps: {
  repo: ActivityRepository;
  audit: AuditRepository;
  outbox: Outbox;
  /** Display names of OIDC clients (databases, the extension) by client id. */
  clientNames: (ids: string[]) => Promise<Map<string, string>>;
}) {
  const { repo } = deps;

  /** `t`: the language of each entry's `detail` (English when not given: the account API, the data export). */
  async function toEntries(accountId: string, rows: ActivityRow[], t?: Translate): Promise<ActivityEntry[]> {
    const names = await deps.clientNames([...new Set(rows.map((r) => r.clientId).filter((c): c is string => Boolean(c)))]);
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at * 1000).toISOString(),
      kind: r.event,
      ip: r.ip,
      device: r.userAgent ? deviceLabel(r.userAgent, t) : null,
      app: r.clientId ? names.get(r.clientId) ?? r.clientId : null,
      detail: describeEvent(r, accountId, t),
    }));
  }

  /** One page of the account's activity, older than `cursor` (an entry id from a previous page); `detail` in `t`'s language. */
  async function page(accountId: string, q: { cursor?: number; limit: number }, t?: Translate): Promise<ActivityPage> {
    const rows = await repo.page(accountId, { events: EVENTS, prefix: 'passkey.', since: nowSeconds() - RETENTION_SECONDS, before: q.cursor, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    const shown = rows.slice(0, q.limit);
    return { entries: await toEntries(accountId, shown, t), nextCursor: more ? String(shown.at(-1)!.id) : null };
  }

  return {
    page,
    /** Everything within the retention window (the data export), newest first. */
    async all(accountId: string): Promise<ActivityEntry[]> {
      const entries: ActivityEntry[] = [];
      let cursor: number | undefined;
      for (;;) {
        const next = await page(accountId, { cursor, limit: 500 });
        entries.push(...next.entries);
        if (!next.nextCursor) return entries;
        cursor = Number(next.nextCursor);
      }
    },
    /** One shown entry of the account by id; undefined when it is not one of its shown entries. */
    async entry(accountId: string, id: number, t?: Translate): Promise<ActivityEntry | undefined> {
      const found = (await page(accountId, { cursor: id + 1, limit: 1 }, t)).entries[0];
      return found?.id === String(id) ? found : undefined;
    },
    /** A key used from an IP it was never used from before: one `api_key.new_ip` event. */
    async noteApiKeyUse(key: { id: string; accountId: string; visibleId: string }, ip: string | null, clientId?: string): Promise<void> {
      if (!ip) return;
      if (!await repo.noteKeyIp(key.id, ip, nowSeconds())) return;
      await deps.audit.record({ accountId: key.accountId, actor: key.accountId, event: 'api_key.new_ip', ip, clientId: clientId ?? null, data: { keyId: key.id, visibleId: key.visibleId } });
    },
    /** Support acted on the account (operator command): the person is told what and why, by mail. */
    async tellAboutSupportAction(account: { email: string; name: string; locale?: string }, what: string, reason: string): Promise<void> {
      await deps.outbox.send(account, 'supportAction', { name: account.name, what, reason });
    },
    /** Maintenance: security events past the retention window. */
    async purgeExpired(): Promise<number> {
      return await repo.purgeOlderThan(nowSeconds() - RETENTION_SECONDS);
    },
  };
}

export type ActivityService = ReturnType<typeof activityService>;
