/**
 * Everything this database says to the IdP: discovery (lazy, retried after a failure, so the app can
 * boot before the IdP), the authorization code flow with PKCE, RP-initiated logout URLs, logout
 * token verification (Back-Channel Logout 1.0) and API key introspection (RFC 7662) with a short
 * cache. Positive introspection answers are cached for a few seconds and never beyond the key's
 * `exp`; negative ones for less, so a fresh key works almost at once.
 */
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import * as jose from 'jose';
import { z } from 'zod';
import { AppError } from './errors.ts';
import type { Role } from './repository.ts';
import type { IdpIdentity } from './service.ts';

export const SCOPE = 'openid email profile';
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const LOGOUT_TOKEN_MAX_AGE_SECONDS = 10 * 60;
const INTROSPECTION_CACHE_MAX_ENTRIES = 1000;

export interface IdpClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  introspectionCacheSeconds: number;
  negativeCacheSeconds: number;
}

export type ApiKeyAnswer =
  | { active: true; sub: string; login: string | null; role: Role | undefined; scopes: Set<string>; exp: number | undefined }
  | { active: false };

const identityClaims = z.object({
  sub: z.string().min(1),
  login: z.string().min(1, 'the login claim is empty'),
  role: z.enum(['owner', 'member']),
  email: z.string().optional(),
  name: z.string().optional(),
});

const logoutClaims = z.object({
  iat: z.number(),
  jti: z.string().min(1),
  events: z.record(z.string(), z.unknown()).refine(
    (events) => typeof events[BACKCHANNEL_LOGOUT_EVENT] === 'object' && events[BACKCHANNEL_LOGOUT_EVENT] !== null,
    'the back-channel logout event is missing',
  ),
  sid: z.string().min(1).optional(),
  sub: z.string().min(1).optional(),
  nonce: z.never({ error: 'a logout token must not carry a nonce' }).optional(),
});

const introspectionAnswer = z.object({
  active: z.literal(true),
  sub: z.string().min(1),
  login: z.string().min(1).optional(),
  role: z.enum(['owner', 'member']).optional(),
  scope: z.string().optional(),
  exp: z.number().optional(),
});

export function createIdpClient(options: IdpClientOptions, now: () => number = Date.now) {
  let configuration: Promise<oidc.Configuration> | null = null;
  let jwks: ReturnType<typeof jose.createRemoteJWKSet> | null = null;
  const introspectionCache = new Map<string, { answer: ApiKeyAnswer; until: number }>();

  async function config(): Promise<oidc.Configuration> {
    configuration ??= (async () => {
      const issuer = new URL(options.issuer);
      return oidc.discovery(
        issuer,
        options.clientId,
        { client_secret: options.clientSecret },
        oidc.ClientSecretBasic(options.clientSecret),
        issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
    })();
    try {
      return await configuration;
    } catch (error) {
      configuration = null;
      throw new AppError('idp_unavailable', 'The sign-in service cannot be reached right now. Please try again in a moment.', error);
    }
  }

  function isIdpError(error: unknown) {
    return error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ClientError;
  }

  return {
    /** Fetches discovery now; used at boot to warn early. */
    async discover() {
      const cfg = await config();
      return cfg.serverMetadata();
    },

    async buildSignInUrl(params: { loginHint?: string }) {
      const cfg = await config();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const parameters: Record<string, string> = {
        redirect_uri: options.redirectUri,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      if (params.loginHint) parameters.login_hint = params.loginHint;
      return { url: oidc.buildAuthorizationUrl(cfg, parameters), state, nonce, codeVerifier };
    },

    /** Redeems the code at the token endpoint, checks the ID token and returns who signed in. */
    async completeSignIn(currentUrl: URL, flow: { state: string; nonce: string; codeVerifier: string }): Promise<IdpIdentity> {
      const cfg = await config();
      try {
        const tokens = await oidc.authorizationCodeGrant(cfg, currentUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims()!;
        let claims: Record<string, unknown> = { ...idClaims };
        if (claims.login === undefined || claims.role === undefined) {
          const userinfo = await oidc.fetchUserInfo(cfg, tokens.access_token, idClaims.sub);
          claims = { ...userinfo, ...claims, login: claims.login ?? userinfo.login, role: claims.role ?? userinfo.role };
        }
        const parsed = identityClaims.safeParse(claims);
        if (!parsed.success) {
          throw new AppError(
            'sign_in_failed',
            'The sign-in service did not say which user you are on this database. Please contact the database owner.',
            parsed.error,
          );
        }
        return {
          sub: parsed.data.sub,
          login: parsed.data.login,
          role: parsed.data.role,
          email: parsed.data.email ?? null,
          name: parsed.data.name ?? null,
          sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
          idToken: tokens.id_token ?? null,
        };
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (isIdpError(error)) {
          throw new AppError('sign_in_failed', 'Sign-in could not be completed. Please start signing in again.', error);
        }
        throw new AppError('idp_unavailable', 'The sign-in service cannot be reached right now. Please try again in a moment.', error);
      }
    },

    /** Where to send the browser after a local sign-out, or null when the IdP has no end_session_endpoint. */
    async endSessionUrl(idToken: string | null): Promise<URL | null> {
      const cfg = await config();
      if (!cfg.serverMetadata().end_session_endpoint) return null;
      const parameters: Record<string, string> = {
        post_logout_redirect_uri: options.postLogoutRedirectUri,
        client_id: options.clientId,
      };
      if (idToken) parameters.id_token_hint = idToken;
      return oidc.buildEndSessionUrl(cfg, parameters);
    },

    /** Verifies a back-channel logout token; throws AppError('bad_request') with the reason. */
    async verifyLogoutToken(token: string): Promise<{ sid?: string; sub?: string; jti: string; iat: number }> {
      const cfg = await config();
      const metadata = cfg.serverMetadata();
      if (!metadata.jwks_uri) throw new AppError('server_error', 'The IdP publishes no jwks_uri.');
      jwks ??= jose.createRemoteJWKSet(new URL(metadata.jwks_uri));
      const algorithms = [
        ...new Set(['ES256', ...(metadata.id_token_signing_alg_values_supported ?? [])].filter((alg) => /^(ES|PS|RS|Ed)/.test(alg))),
      ];
      let payload: jose.JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, jwks, {
          issuer: metadata.issuer,
          audience: options.clientId,
          algorithms,
          requiredClaims: ['iat', 'jti', 'events'],
          maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
          clockTolerance: 30,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        const reason = error instanceof jose.errors.JOSEError ? error.message : 'it could not be read';
        throw new AppError('bad_request', `The logout token is not valid: ${reason}.`, error);
      }
      const parsed = logoutClaims.safeParse(payload);
      if (!parsed.success) {
        throw new AppError('bad_request', `The logout token is not valid: ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`);
      }
      if (!parsed.data.sid && !parsed.data.sub) {
        throw new AppError('bad_request', 'The logout token is not valid: it names neither a session (sid) nor a subject (sub).');
      }
      return { sid: parsed.data.sid, sub: parsed.data.sub, jti: parsed.data.jti, iat: parsed.data.iat };
    },

    /** Asks the IdP whether an API key is active, reusing a recent answer. */
    async introspectApiKey(key: string): Promise<ApiKeyAnswer> {
      const cacheKey = crypto.createHash('sha256').update(key).digest('base64url');
      const cached = introspectionCache.get(cacheKey);
      const current = now();
      if (cached && cached.until > current) return cached.answer;
      introspectionCache.delete(cacheKey);

      const cfg = await config();
      let raw: oidc.IntrospectionResponse;
      try {
        raw = await oidc.tokenIntrospection(cfg, key, { token_type_hint: 'access_token' });
      } catch (error) {
        throw new AppError('idp_unavailable', 'The API key could not be checked right now. Please try again in a moment.', error);
      }
      const parsed = introspectionAnswer.safeParse(raw);
      const answer: ApiKeyAnswer = parsed.success
        ? {
            active: true,
            sub: parsed.data.sub,
            login: parsed.data.login ?? null,
            role: parsed.data.role,
            scopes: new Set((parsed.data.scope ?? '').split(' ').filter(Boolean)),
            exp: parsed.data.exp,
          }
        : { active: false };
      if (answer.active && answer.exp !== undefined && answer.exp * 1000 <= current) return { active: false };

      let until = current + (answer.active ? options.introspectionCacheSeconds : options.negativeCacheSeconds) * 1000;
      if (answer.active && answer.exp !== undefined) until = Math.min(until, answer.exp * 1000);
      if (until > current) {
        if (introspectionCache.size >= INTROSPECTION_CACHE_MAX_ENTRIES) {
          introspectionCache.delete(introspectionCache.keys().next().value!);
        }
        introspectionCache.set(cacheKey, { answer, until });
      }
      return answer;
    },
  };
}

export type IdpClient = ReturnType<typeof createIdpClient>;
