/**
 * The signed-in session as the background sees it: hands out a fresh access token, refreshes it
 * (one refresh at a time: the IdP rotates refresh tokens and treats a reused one as theft), signs in,
 * steps up and signs out.
 */
import { ExtensionError } from './errors.ts';
import type { OAuthClient } from './oauth-client.ts';
import type { TokenSet, TokenStore } from './token-store.ts';
import { t } from './i18n/translator.ts';

/** Refresh this long before the access token expires, so a request never leaves with a dying token. */
export const ACCESS_TOKEN_MARGIN_MS = 60_000;

export interface AuthSession {
  isSignedIn(): Promise<boolean>;
  accessToken(): Promise<string>;
  /** Replace a rejected access token (a 401 invalid_token) unless another caller already has. */
  forceRefresh(rejected: string): Promise<string>;
  signIn(options?: { maxAge?: number }): Promise<TokenSet>;
  signOut(): Promise<void>;
}

export function createAuthSession(deps: { client: OAuthClient; store: TokenStore; now?: () => number; onSignedOut?: () => Promise<void> }): AuthSession {
  const now = deps.now ?? Date.now;
  let refreshing: Promise<TokenSet> | null = null;

  const requireTokens = async () => {
    const tokens = await deps.store.load();
    if (!tokens) throw new ExtensionError('signed_out', t('You are signed out.'));
    return tokens;
  };

  const usable = (tokens: TokenSet, rejected?: string) =>
    tokens.accessToken !== '' && tokens.accessToken !== rejected && tokens.accessTokenExpiresAt - ACCESS_TOKEN_MARGIN_MS > now();

  /**
   * Single flight, and the tokens are re-read inside it: a caller that loaded them before another
   * refresh finished must not send the already-rotated refresh token again.
   */
  const refresh = (rejected?: string) => {
    refreshing ??= (async () => {
      try {
        const current = await requireTokens();
        if (usable(current, rejected)) return current;
        const next = await deps.client.refresh(current);
        await deps.store.save(next);
        return next;
      } catch (error) {
        if (error instanceof ExtensionError && error.code === 'signed_out') await deps.store.clear();
        throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  return {
    async isSignedIn() {
      return (await deps.store.load()) !== null;
    },
    async accessToken() {
      const tokens = refreshing ? await refreshing : await requireTokens();
      return usable(tokens) ? tokens.accessToken : (await refresh()).accessToken;
    },
    async forceRefresh(rejected) {
      return (await refresh(rejected)).accessToken;
    },
    async signIn(options = {}) {
      const tokens = await deps.client.signIn({ interactive: true, maxAge: options.maxAge });
      await deps.store.save(tokens);
      return tokens;
    },
    async signOut() {
      const tokens = await deps.store.load();
      await deps.store.clear();
      // Revocation is best effort: locally we are signed out either way.
      if (tokens) await deps.client.revoke(tokens.refreshToken).catch(() => undefined);
      await deps.onSignedOut?.();
    },
  };
}
