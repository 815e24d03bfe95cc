/** Reads and writes the token set across its two storage items (see storage-items.ts for why two). */
import type { StorageItem } from './browser-api.ts';
import type { AccessTokenRecord, RefreshGrantRecord } from './storage-items.ts';

export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds. */
  accessTokenExpiresAt: number;
  refreshToken: string;
  subject: string;
  authTime: number | null;
  scope: string;
}

export interface TokenStore {
  /** The stored tokens for this issuer; the access token is empty when only the refresh grant survived. */
  load(): Promise<TokenSet | null>;
  save(tokens: TokenSet): Promise<void>;
  clear(): Promise<void>;
}

export function createTokenStore(
  issuer: string,
  items: { access: StorageItem<AccessTokenRecord | null>; refresh: StorageItem<RefreshGrantRecord | null> },
): TokenStore {
  return {
    async load() {
      const [access, grant] = await Promise.all([items.access.get(), items.refresh.get()]);
      if (!grant || grant.issuer !== issuer) return null;
      const usable = access && access.issuer === issuer;
      return {
        accessToken: usable ? access.accessToken : '',
        accessTokenExpiresAt: usable ? access.expiresAt : 0,
        refreshToken: grant.refreshToken,
        subject: grant.subject,
        authTime: grant.authTime,
        scope: grant.scope,
      };
    },
    async save(tokens) {
      // Refresh token first: if we stop half-way, the old access token simply expires.
      await items.refresh.set({ issuer, refreshToken: tokens.refreshToken, subject: tokens.subject, authTime: tokens.authTime, scope: tokens.scope });
      await items.access.set({ issuer, accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt });
    },
    async clear() {
      await Promise.all([items.access.remove(), items.refresh.remove()]);
    },
  };
}
