/**
 * DPoP-bound access tokens for the account API (RFC 9449). The extension gets a JWT access token for
 * the `${issuer}/api` resource from oidc-provider, bound to its key (`cnf.jkt`), and sends it with a
 * fresh proof on every call. We check, in order: the token (our own signature, issuer, audience,
 * `at+jwt`, expiry, the `account` scope, a `cnf.jkt`), then the proof (`dpop+jwt`, an asymmetric
 * signature by the public `jwk` in its header whose thumbprint is `cnf.jkt`, `htm`/`htu` of this request,
 * `iat` within a minute, `ath` = SHA-256 of the token, a `jti` never seen before).
 *
 * jti replay is checked in the store's rate-limit table, so it holds across worker processes.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import { ACCOUNT_API_RESOURCE_PATH, ACCOUNT_API_SCOPE, EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';
import { AppError } from '../errors.ts';
import type { Db } from '../storage/database.ts';
import type { SecretBox } from '../storage/secret-box.ts';
import type { RateLimiter } from '../security/rate-limiter.ts';
import { clock } from '../clock.ts';
import { keysVersion, loadJwks } from '../storage/server-settings.ts';

const PROOF_MAX_AGE_SECONDS = 60;
const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

const keySets = new WeakMap<Db, { version: number; set: ReturnType<typeof jose.createLocalJWKSet> }>();
/** Our public signing keys, rebuilt when `idp keys rotate` moves the store's key version. */
async function ownKeys(db: Db, box: SecretBox) {
  const version = await keysVersion(db);
  let cached = keySets.get(db);
  if (!cached || cached.version !== version) {
    const keys = (await loadJwks(db, box)).keys.map((k) => Object.fromEntries(Object.entries(k).filter(([name]) => !PRIVATE_MEMBERS.includes(name))));
    cached = { version, set: jose.createLocalJWKSet({ keys: keys as jose.JWK[] }) };
    keySets.set(db, cached);
  }
  return cached.set;
}

function invalid(message: string): AppError {
  return new AppError('unauthorized', message, { headers: { 'WWW-Authenticate': `DPoP realm="latchkey", error="invalid_token", algs="${ALGORITHMS.join(' ')}"` } });
}
function badProof(message: string): AppError {
  return new AppError('unauthorized', message, { headers: { 'WWW-Authenticate': `DPoP realm="latchkey", error="invalid_dpop_proof", algs="${ALGORITHMS.join(' ')}"` } });
}

export interface VerifiedAccessToken {
  sub: string;
  authTime: number | undefined;
  jkt: string;
  /** `sid`: the IdP session (its uid, the device id of the devices list) the token's grant was signed in through. */
  sessionUid: string | undefined;
}

/** The parts of an HTTP request a DPoP proof is checked against. */
export interface DpopRequest {
  method: string;
  /** The request path (the proof's `htu` is the issuer followed by it). */
  path: string;
  /** The `DPoP` header as received. */
  dpop: string | string[] | undefined;
}

export interface DpopDeps {
  issuer: string;
  /** The store holding our signing keys. */
  db: Db;
  /** Opens the sealed signing keys (IDP_SECRET_KEY). */
  box: SecretBox;
  /** Remembers proof `jti`s (replay) across worker processes. */
  limiter: RateLimiter;
  /** Whether the IdP session (by uid) a token was issued through is still live. */
  sessionIsLive(sessionUid: string): Promise<boolean>;
}

export async function verifyDpop(request: DpopRequest, deps: DpopDeps, token: string): Promise<VerifiedAccessToken> {
  const now = new Date(clock.now());
  let claims: jose.JWTPayload & { cnf?: { jkt?: string }; scope?: string; auth_time?: number; sid?: unknown; client_id?: unknown };
  try {
    ({ payload: claims } = await jose.jwtVerify(token, await ownKeys(deps.db, deps.box), {
      issuer: deps.issuer, audience: `${deps.issuer}${ACCOUNT_API_RESOURCE_PATH}`, typ: 'at+jwt', algorithms: ['ES256', 'EdDSA'],
      requiredClaims: ['sub', 'exp'], currentDate: now,
    }));
  } catch {
    throw invalid('This access token is not valid for the account API: it may have expired. Sign in again.');
  }
  // Defence in depth: the provider issues account-API tokens to the extension only.
  if (claims.client_id !== EXTENSION_CLIENT_ID) throw invalid('This access token was not issued to the Latchkey extension.');
  const jkt = claims.cnf?.jkt;
  if (typeof jkt !== 'string') throw invalid('This access token is not DPoP-bound; the account API needs a DPoP-bound token.');
  if (!(claims.scope ?? '').split(' ').includes(ACCOUNT_API_SCOPE)) throw invalid(`This access token lacks the "${ACCOUNT_API_SCOPE}" scope.`);

  const proofs = request.dpop;
  if (typeof proofs !== 'string' || proofs.length > 8192) throw badProof('Send exactly one DPoP proof in the DPoP header.');
  let proof: jose.JWTPayload & { htm?: unknown; htu?: unknown; ath?: unknown };
  let header: jose.JWTHeaderParameters;
  try {
    ({ payload: proof, protectedHeader: header } = await jose.jwtVerify(proofs, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ALGORITHMS, currentDate: now }));
  } catch {
    throw badProof('The DPoP proof is not valid.');
  }
  if (!header.jwk || PRIVATE_MEMBERS.some((m) => m in header.jwk!)) throw badProof('The DPoP proof must carry a public key.');
  if ((await jose.calculateJwkThumbprint(header.jwk, 'sha256')) !== jkt) throw badProof('The DPoP proof is signed by another key than the one the token is bound to.');
  const htu = `${deps.issuer}${request.path}`;
  if (proof.htm !== request.method || typeof proof.htu !== 'string' || proof.htu.split(/[?#]/)[0] !== htu) throw badProof('The DPoP proof is for another request (htm/htu).');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof proof.iat !== 'number' || Math.abs(nowSeconds - proof.iat) > PROOF_MAX_AGE_SECONDS) throw badProof('The DPoP proof is too old or from the future (iat).');
  if (proof.ath !== crypto.createHash('sha256').update(token).digest('base64url')) throw badProof('The DPoP proof is not for this access token (ath).');
  if (typeof proof.jti !== 'string' || proof.jti.length < 8 || proof.jti.length > 200) throw badProof('The DPoP proof needs a unique jti.');
  const replayKey = `dpop:jti:${jkt}:${crypto.createHash('sha256').update(proof.jti).digest('base64url')}`;
  if (await deps.limiter.hit(replayKey, { max: 1, windowSeconds: 2 * PROOF_MAX_AGE_SECONDS + 1 }) > 1) throw badProof('This DPoP proof was already used.');
  // A JWT cannot be revoked, but the IdP session it was issued through can end (log out, "log out
  // from all devices", password change, account deletion): the token dies with it, not 10 minutes later.
  const sessionUid = typeof claims.sid === 'string' ? claims.sid : undefined;
  if (!sessionUid || !(await deps.sessionIsLive(sessionUid))) {
    throw invalid('The sign-in behind this access token has ended. Sign in again.');
  }
  return { sub: claims.sub!, authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined, jkt, sessionUid };
}

/**
 * For oidc-provider's `extraTokenClaims`: access tokens for the account API carry `auth_time`, the
 * sign-in time behind the grant, so the API can ask for a step-up (RFC 9470) on sensitive actions; and
 * `sid`, the uid of the IdP session the grant was signed in through (the device id in the devices list),
 * so the API can tell which signed-in device is the caller's own ("log out other devices" keeps it).
 * oidc-provider's own per-client `sid` is only kept for clients that ask for it, `sessionUid` always.
 */
export function accountApiTokenClaims(ctx: unknown, token: { sessionUid?: unknown; resourceServer?: { audience?: string } }, apiResource: string): { auth_time?: number; sid?: string } | undefined {
  if (token.resourceServer?.audience !== apiResource) return undefined;
  const oidc = (ctx as { oidc?: { entities?: Record<string, { authTime?: number } | undefined>; session?: { authTime?: () => number | undefined } } } | undefined)?.oidc;
  const authTime = oidc?.entities?.AuthorizationCode?.authTime ?? oidc?.entities?.RefreshToken?.authTime ?? oidc?.session?.authTime?.();
  return {
    ...(typeof authTime === 'number' ? { auth_time: authTime } : {}),
    ...(typeof token.sessionUid === 'string' ? { sid: token.sessionUid } : {}),
  };
}
