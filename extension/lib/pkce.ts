/** PKCE (RFC 7636) with S256 only: the plain method would leak the verifier through the authorization URL. */
import { randomBase64Url, sha256Base64Url } from './base64url.ts';

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** 32 random bytes give a 43-character verifier, the minimum length RFC 7636 allows and 256 bits of entropy. */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomBase64Url(32);
  return { verifier, challenge: await sha256Base64Url(verifier), method: 'S256' };
}
