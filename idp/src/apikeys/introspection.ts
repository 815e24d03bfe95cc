/**
 * API keys at oidc-provider's token introspection (RFC 7662): a database presents a key its caller
 * sent it, authenticated as its own OIDC client. oidc-provider runs first (client authentication,
 * parameter checks, its own token lookup); only when it answered `active: false` for a token shaped
 * like an API key do we answer for the key, for the calling client's database.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ApiKeyService } from './api-key-service.ts';
import { looksLikeApiKey } from './api-key-service.ts';
import { metrics } from '../observability/metrics.ts';

/** The API keys module's answer for a key presented by `clientId` (ApiKeyService#introspect). */
export type ApiKeyIntrospector = ApiKeyService['introspect'];

export function apiKeyIntrospection(introspect: ApiKeyIntrospector, issuer: string) {
  return async function introspectApiKey(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    if (ctx.oidc?.route !== 'introspection') return;
    if (ctx.status !== 200) {
      metrics.introspection('refused');
      return;
    }
    const body = ctx.body as { active?: boolean } | undefined;
    const token = ctx.oidc.params?.token;
    const clientId = ctx.oidc.client?.clientId;
    if (body?.active !== false || !looksLikeApiKey(token) || !clientId) {
      metrics.introspection(body?.active === true ? 'active' : 'inactive');
      return;
    }
    const answer = await introspect(token, clientId, ctx.ip || null, issuer);
    if (answer) ctx.body = answer;
    metrics.introspection((answer as { active?: boolean } | undefined)?.active === true ? 'api_key_active' : 'api_key_inactive');
  };
}
