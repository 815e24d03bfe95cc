/** Periodic clean-up: expired OIDC artifacts, used or expired mail tokens, stale rate-limit windows, expired API keys. */
import { log } from './log.ts';
import type { Services } from './services.ts';
import { nowSeconds } from './storage/database.ts';
import { purgeExpiredOidcModels } from './storage/oidc-adapter.ts';

export function runMaintenance(services: Services): { oidc: number; tokens: number; rateLimits: number; apiKeys: number; secondFactor: number } {
  return {
    oidc: purgeExpiredOidcModels(services.db),
    tokens: services.accountsRepo.purgeExpiredTokens(nowSeconds()),
    rateLimits: services.limiter.purge(24 * 3600),
    secondFactor: services.security.twoFactorRepo.purgeExpired(),
    apiKeys: services.apiKeys.purgeExpired(),
  };
}

export function startMaintenance(services: Services, everyMs = 10 * 60 * 1000): { stop(): void } {
  const timer = setInterval(() => {
    try {
      const removed = runMaintenance(services);
      log.debug(`maintenance removed ${JSON.stringify(removed)}`);
    } catch (error) {
      log.warn(`maintenance failed: ${String(error)}`);
    }
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
