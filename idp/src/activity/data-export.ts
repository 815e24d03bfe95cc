/**
 * "Download my data" (GDPR articles 15 and 20): one JSON document with what the IdP holds about the
 * account: the account, its memberships, signed-in devices, remembered devices, connected apps, 2FA
 * state, API key metadata, passkey metadata and the security activity. Limited per account (it is a heavy read).
 *
 * Invariant: the document is built from summaries that hold no secret: never a password hash, TOTP
 * secret, recovery code, API key secret or digest, token, or trusted-device cookie digest. The e2e test
 * checks the download against every secret it created.
 */
import type { Account } from '../accounts/types.ts';
import type { ApiKeyService } from '../apikeys/api-key-service.ts';
import type { DatabaseService } from '../databases/database-service.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import { tooManyAttempts, type RateLimiter } from '../security/rate-limiter.ts';
import type { SessionService } from '../security/session-service.ts';
import type { TwoFactorService } from '../security/two-factor-service.ts';
import type { ActivityService } from './activity-service.ts';
import type { Passkey } from '../passkeys/types.ts';
import { msg } from '../i18n/translator.ts';

export const EXPORT_LIMIT = { max: 5, windowSeconds: 3600 };
const iso = (s: number) => new Date(s * 1000).toISOString();

export function dataExport(deps: {
  databases: Pick<DatabaseService, 'listForAccount'>; sessions: SessionService; twoFactor: TwoFactorService;
  apiKeys: ApiKeyService; activity: ActivityService; limiter: RateLimiter; audit: AuditRepository;
  passkeys: { list(accountId: string): Promise<Passkey[]> };
  /** Clients that are this site itself (the portal), left out of connected apps. */
  hiddenClients: readonly string[];
}) {
  return {
    async exportFor(account: Account, from: { sessionUid?: string; ip?: string }) {
      const wait = await deps.limiter.attempt([`export:account:${account.id}`, EXPORT_LIMIT]);
      if (wait > 0) throw tooManyAttempts(wait, msg('You downloaded your data several times in the last hour.'));
      const data = {
        format: 'latchkey-account-data',
        version: 1,
        exportedAt: iso(nowSeconds()),
        account: {
          id: account.id, email: account.email, emailVerified: account.emailVerifiedAt !== null,
          name: account.name, locale: account.locale, timezone: account.timezone, createdAt: iso(account.createdAt),
        },
        memberships: (await deps.databases.listForAccount(account)).map((m) => ({
          database: m.database.name, url: m.database.url, role: m.role, status: m.status, login: m.login,
        })),
        signedInDevices: await deps.sessions.listDevices(account.id, from.sessionUid),
        rememberedDevices: await deps.twoFactor.listTrustedDevices(account.id),
        connectedApps: await deps.sessions.connectedApps(account.id, deps.hiddenClients),
        twoFactor: { enabled: await deps.twoFactor.isEnabled(account.id), recoveryCodesLeft: await deps.twoFactor.recoveryCodesLeft(account.id) },
        developerMode: await deps.apiKeys.isDeveloperMode(account.id),
        apiKeys: await Promise.all((await deps.apiKeys.listLive(account.id)).map((k) => deps.apiKeys.summarize(k))),
        // Names and dates only: the public keys and credential ids stay out (nothing a person reads).
        passkeys: (await deps.passkeys.list(account.id)).map((p) => ({
          name: p.name, synced: p.backupEligible, createdAt: iso(p.createdAt), lastUsedAt: p.lastUsedAt === null ? null : iso(p.lastUsedAt),
        })),
        activity: await deps.activity.all(account.id),
      };
      await deps.audit.record({ accountId: account.id, actor: account.id, event: 'data.exported', ip: from.ip });
      return data;
    },
  };
}

export type DataExport = ReturnType<typeof dataExport>;
