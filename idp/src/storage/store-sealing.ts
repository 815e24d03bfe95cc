/**
 * The one-time start-up step after migration 10 (issue 13): on a store written by an earlier version,
 * re-keys oidc-provider rows by a hash of their id and seals the signing keys, cookie keys, CSRF secret
 * and client secrets still in clear; on Redis, sweeps the keys of clear ids. It needs IDP_SECRET_KEY,
 * which SQL migrations never see, so it runs here, before a process serves.
 *
 * Invariants: it is idempotent and safe when several processes start together. The SQL part runs in one
 * transaction that first flips `server_settings.oidc_ids` from 'clear' to 'hashed' (only one process
 * sees that update succeed; the others wait for its commit on either engine and find nothing to do), and
 * every row update is conditional on the value read. A store already done costs one query.
 */
import type { Db } from './database.ts';
import { rekeyOidcRows, sealClientSecrets } from './oidc-adapter.ts';
import { type ShortLivedStore, sweepClearRedisIds } from './redis.ts';
import type { SecretBox } from './secret-box.ts';
import { sealServerSecrets } from './server-settings.ts';

export interface SealingReport {
  rekeyed: number;
  sealed: number;
  swept: number;
}

export async function sealStore(db: Db, box: SecretBox, shortLived?: ShortLivedStore): Promise<SealingReport> {
  const report: SealingReport = { rekeyed: 0, sealed: 0, swept: 0 };
  const marker = await db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'oidc_ids'");
  if (marker?.value === 'clear') {
    await db.transaction(async () => {
      if ((await db.run("UPDATE server_settings SET value = 'hashed' WHERE name = 'oidc_ids' AND value = 'clear'")).changes !== 1) return;
      report.rekeyed = await rekeyOidcRows(db, box);
      report.sealed = await sealServerSecrets(db, box, 'clear') + await sealClientSecrets(db, box, 'clear');
    });
  }
  if (shortLived) report.swept = await sweepClearRedisIds(shortLived);
  return report;
}
