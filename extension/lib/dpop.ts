/**
 * DPoP proofs (RFC 9449) signed with an ES256 key whose private half is non-extractable: a stolen
 * access or refresh token is useless without this browser profile's key.
 */
import { base64UrlEncode, randomBase64Url, sha256Base64Url } from './base64url.ts';

export const DPOP_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export function generateDpopKeyPair(): Promise<CryptoKeyPair> {
  // extractable=false applies to the private key; the public key stays exportable for the proof header.
  return crypto.subtle.generateKey(DPOP_ALGORITHM, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export async function exportPublicJwk(publicKey: CryptoKey): Promise<PublicJwk> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  return { kty: kty as 'EC', crv: crv as 'P-256', x: x!, y: y! };
}

/** RFC 7638 thumbprint, sent as `dpop_jkt` to bind the authorization code to the key. */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  // Required members in lexicographic order, no whitespace.
  return sha256Base64Url(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

/** `htu` is the request URL without query and fragment (RFC 9449 §4.2). */
export function htuOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export interface DpopProofInput {
  method: string;
  url: string;
  /** Present for resource requests: the proof then carries `ath`, the hash of the token. */
  accessToken?: string;
  nonce?: string;
  /** Seconds since the epoch; injectable for tests. */
  now?: number;
}

export async function createDpopProof(keys: CryptoKeyPair, input: DpopProofInput): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: await exportPublicJwk(keys.publicKey) };
  const payload: Record<string, string | number> = {
    jti: randomBase64Url(16),
    htm: input.method.toUpperCase(),
    htu: htuOf(input.url),
    iat: input.now ?? Math.floor(Date.now() / 1000),
  };
  if (input.accessToken) payload.ath = await sha256Base64Url(input.accessToken);
  if (input.nonce) payload.nonce = input.nonce;
  const signingInput = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(payload))}`;
  // WebCrypto's ECDSA output is already the raw r||s form that JWS expects.
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    keys.privateKey,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64UrlEncode(signature)}`;
}
