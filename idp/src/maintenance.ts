/** Periodic clean-up: expired OIDC artifacts, used or expired mail tokens, stale rate-limit windows, expired API keys, security events past 90 days. */
import { log } from './log.ts';
import type { Services } from './services.ts';
import { nowSeconds } from './clock.ts';
import { purgeExpiredOidcModels } from './storage/oidc-adapter.ts';

export async function runMaintenance(services: Services): Promise<{ oidc: number; tokens: number; rateLimits: number; apiKeys: number; secondFactor: number; activity: number }> {
  return {
    oidc: await purgeExpiredOidcModels(services.db),
    tokens: await services.accountsRepo.purgeExpiredTokens(nowSeconds()),
    rateLimits: await services.limiter.purge(24 * 3600),
    secondFactor: await services.security.twoFactorRepo.purgeExpired(),
    apiKeys: await services.apiKeys.purgeExpired(),
    activity: await services.activity.purgeExpired(),
  };
}

export function startMaintenance(services: Services, everyMs = 10 * 60 * 1000): { stop(): void } {
  const timer = setInterval(() => {
    runMaintenance(services)
      .then((removed) => log.debug(`maintenance removed ${JSON.stringify(removed)}`))
      .catch((error: unknown) => log.warn(`maintenance failed: ${String(error)}`));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
