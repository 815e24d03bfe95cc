/**
 * A minimal browser for driving server-rendered pages over HTTP: a cookie jar, manual redirects (so
 * tests can stop at a client's redirect URI), and form helpers that read hidden fields (CSRF tokens)
 * from the page like a real browser would submit them.
 */
import { cookieHeader, storeSetCookies, type CookieJar } from './cookie-jar.ts';

export interface PageResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  location?: string;
}

export class TestBrowser {
  readonly cookies: CookieJar = new Map();
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

  async request(input: string | URL, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const url = new URL(input);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'text/html', ...init.headers };
    const cookie = cookieHeader(this.cookies, url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin ??= url.origin;
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    storeSetCookies(this.cookies, url, res.headers);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url: url.toString(), headers: res.headers, body: await res.text(), location: location ? new URL(location, url).toString() : undefined };
  }

  /** Follows redirects until a page answers or the next hop would leave `stopAtOrigin`s. */
  async follow(input: string | URL, options: { stopAt?: (url: URL) => boolean; init?: Parameters<TestBrowser['request']>[1] } = {}): Promise<PageResponse> {
    let res = await this.request(input, options.init);
    for (let hops = 0; hops < 20 && res.location && res.status >= 300 && res.status < 400; hops++) {
      if (options.stopAt?.(new URL(res.location))) return res;
      res = await this.request(res.location);
    }
    return res;
  }

  /** Submits the form whose action contains `actionPart` on `page`, with its hidden fields plus `fields`. */
  async submit(page: PageResponse, actionPart: string, fields: Record<string, string>, options: { stopAt?: (url: URL) => boolean } = {}): Promise<PageResponse> {
    const form = findForm(page.body, actionPart);
    const action = new URL(decodeEntities(form.action), page.url);
    const res = await this.request(action, { method: 'POST', form: { ...form.hidden, ...fields } });
    if (res.location && res.status >= 300 && res.status < 400 && !options.stopAt?.(new URL(res.location))) {
      return this.follow(res.location, options);
    }
    return res;
  }
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export function findForm(html: string, actionPart: string): { action: string; hidden: Record<string, string> } {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const form = forms.find((f) => {
    const action = f.match(/action="([^"]*)"/)?.[1];
    return action !== undefined && decodeEntities(action).includes(actionPart);
  });
  if (!form) throw new Error(`no form with action containing ${actionPart} in page:\n${html.slice(0, 2000)}`);
  const hidden: Record<string, string> = {};
  for (const input of form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    const name = input[0].match(/name="([^"]*)"/)?.[1];
    const value = input[0].match(/value="([^"]*)"/)?.[1] ?? '';
    if (name) hidden[name] = decodeEntities(value);
  }
  return { action: form.match(/action="([^"]*)"/)![1]!, hidden };
}
