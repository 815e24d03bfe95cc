/**
 * A lean browser over node:http for load generation and multi-process tests: a cookie jar, manual
 * redirects, and a choice of connection reuse. `fetch` keeps one pooled connection per origin, which pins
 * every request to one cluster worker; with `newConnectionPerRequest` each request opens its own
 * connection, so the cluster primary spreads them over the workers.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { findForm } from './browser.ts';

export interface HttpTarget {
  /** Address to connect to (e.g. 127.0.0.1). */
  host: string;
  port: number;
  /** Public origin the IdP believes it has (its issuer); absolute redirects to it are followed here. */
  origin: string;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  location?: string;
}

export class HttpSession {
  readonly cookies = new Map<string, string>();

  constructor(readonly target: HttpTarget, readonly agent: http.Agent | false) {}

  request(method: string, pathOrUrl: string, init: { headers?: Record<string, string>; form?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
    const url = new URL(pathOrUrl, this.target.origin);
    const headers: Record<string, string> = { host: url.host, 'user-agent': 'latchkey-bench/1 (X11; Linux x86_64) Chrome/130.0', accept: 'text/html', ...init.headers };
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.target.host, port: this.target.port, method, path: url.pathname + url.search, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.#store(res.headers['set-cookie']);
          const location = res.headers.location ? new URL(res.headers.location, url).toString() : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), location });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  #store(lines: string[] | undefined): void {
    for (const line of lines ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = value === '' || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export interface SignInClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface SignInTokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
}

function basic(client: SignInClient): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
}

/**
 * One full password sign-in as a browser and a confidential client do it: authorization request with
 * PKCE, the login form (with its CSRF token), the redirects back to the client, and the code exchange.
 */
export async function passwordSignIn(session: HttpSession, client: SignInClient, email: string, password: string, scope = 'openid email offline_access'): Promise<SignInTokens> {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: client.clientId, response_type: 'code', scope, redirect_uri: client.redirectUri, prompt: 'consent',
    state: crypto.randomUUID(), code_challenge: challenge, code_challenge_method: 'S256',
  });
  let res = await session.request('GET', `/auth?${query}`);
  if (!res.location) throw new Error(`authorize: ${res.status} ${res.body.slice(0, 200)}`);
  const loginPage = await session.request('GET', res.location);
  if (loginPage.status !== 200) throw new Error(`login page: ${loginPage.status} ${loginPage.body.slice(0, 200)}`);
  const form = findForm(loginPage.body, '/login');
  res = await session.request('POST', new URL(form.action.replace(/&amp;/g, '&'), res.location).toString(), {
    form: { ...form.hidden, email, password }, headers: { origin: session.target.origin },
  });
  for (let hops = 0; res.location && !res.location.startsWith(client.redirectUri); hops++) {
    if (hops > 8) throw new Error('too many redirects');
    res = await session.request('GET', res.location);
  }
  if (!res.location) throw new Error(`sign-in: ${res.status} ${res.body.slice(0, 300)}`);
  const code = new URL(res.location).searchParams.get('code');
  if (!code) throw new Error(`sign-in: no code in ${res.location}`);
  const token = await session.request('POST', '/token', {
    form: { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier },
    headers: { authorization: basic(client), accept: 'application/json' },
  });
  if (token.status !== 200) throw new Error(`token: ${token.status} ${token.body}`);
  return JSON.parse(token.body) as SignInTokens;
}

/** One refresh_token grant; returns the new token set (the refresh token rotates). */
export async function refresh(session: HttpSession, client: SignInClient, refreshToken: string): Promise<SignInTokens> {
  const res = await session.request('POST', '/token', {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    headers: { authorization: basic(client), accept: 'application/json' },
  });
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as SignInTokens;
}
