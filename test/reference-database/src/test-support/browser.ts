/**
 * A tiny browser for tests: plain fetch, manual redirects and a cookie jar keyed by host:port
 * (the app and the stand-in OP run on different hosts, localhost and 127.0.0.1), the one the IdP
 * suites' browser keeps too (test/helpers/cookie-jar.ts).
 */
import { cookieHeader, storeSetCookies, type CookieJar } from '../../../helpers/cookie-jar.ts';

export interface Step {
  url: string;
  status: number;
  location: string | null;
}

export class TestBrowser {
  readonly jar: CookieJar = new Map();

  cookieHeader(url: URL): string {
    return cookieHeader(this.jar, url);
  }

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, value);
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; body?: string } = {}) {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    storeSetCookies(this.jar, target, response.headers);
    return response;
  }

  /** Follows redirects (GET after 302/303) until a non-redirect answer or `stopWhen` says stop. */
  async follow(
    url: string,
    init: Parameters<TestBrowser['request']>[1] = {},
    stopWhen: (next: URL) => boolean = () => false,
  ): Promise<{ response: Response; steps: Step[]; url: string }> {
    const steps: Step[] = [];
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      steps.push({ url: current, status: response.status, location });
      if (response.status < 300 || response.status >= 400 || !location) break;
      const next = new URL(location, current);
      if (stopWhen(next)) break;
      await response.arrayBuffer();
      current = next.href;
      response = await this.request(current);
    }
    return { response, steps, url: current };
  }
}

export function csrfFrom(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no csrf field in page:\n${html.slice(0, 500)}`);
  return match[1]!;
}

export function fieldFrom(html: string, field: string): string | undefined {
  const match = new RegExp(`data-field="${field}"[^>]*>([^<]*)<`).exec(html);
  return match?.[1];
}
