/**
 * `fetch` with a DPoP proof on every request. Servers may demand a nonce (RFC 9449 §8, §9): the
 * authorization server answers 400 `use_dpop_nonce`, the resource server 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`; both send `DPoP-Nonce`, and we retry once with it.
 * The last nonce per origin is remembered so later requests usually succeed first time.
 */
import { createDpopProof } from './dpop.ts';
import { challengeError } from './www-authenticate.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface DpopFetchOptions {
  keys: () => Promise<CryptoKeyPair>;
  fetch?: FetchLike;
  now?: () => number;
}

export interface DpopRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  /** When set, sent as `Authorization: DPoP <token>` and hashed into the proof's `ath`. */
  accessToken?: string;
}

export type DpopFetch = (request: DpopRequest) => Promise<Response>;

async function isNonceChallenge(response: Response): Promise<boolean> {
  if (response.status === 401) return challengeError(response.headers.get('www-authenticate')) === 'use_dpop_nonce';
  if (response.status !== 400) return false;
  const body = (await response.clone().json().catch(() => null)) as { error?: string } | null;
  return body?.error === 'use_dpop_nonce';
}

export function createDpopFetch(options: DpopFetchOptions): DpopFetch {
  const nonces = new Map<string, string>();
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));

  const send = async (request: DpopRequest) => {
    const origin = new URL(request.url).origin;
    const proof = await createDpopProof(await options.keys(), {
      method: request.method,
      url: request.url,
      accessToken: request.accessToken,
      nonce: nonces.get(origin),
      now: options.now ? Math.floor(options.now() / 1000) : undefined,
    });
    const headers: Record<string, string> = { ...request.headers, DPoP: proof };
    if (request.accessToken) headers.Authorization = `DPoP ${request.accessToken}`;
    const response = await doFetch(request.url, { method: request.method, headers, body: request.body, credentials: 'omit' });
    const nonce = response.headers.get('dpop-nonce');
    const hadNonce = nonces.get(origin);
    if (nonce) nonces.set(origin, nonce);
    return { response, retry: Boolean(nonce) && nonce !== hadNonce && (await isNonceChallenge(response)) };
  };

  return async (request) => {
    const first = await send(request);
    if (!first.retry) return first.response;
    return (await send(request)).response;
  };
}
