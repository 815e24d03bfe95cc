/**
 * The cookie jar both test browsers keep (test/helpers/browser.ts for the IdP suites,
 * test/reference-database/src/test-support/browser.ts for the reference database): cookies keyed by
 * host:port, since the IdP and a database run on different ports of one loopback address, like a
 * browser that ignores Domain and Path (every test origin is its own host:port).
 *
 * A Set-Cookie with an empty value, `Max-Age` of zero or less, or an `Expires` in the past deletes the
 * cookie, as a browser does; anything else stores it.
 */
export type CookieJar = Map<string, Map<string, string>>;

/** The `cookie` request header for `url` ('' when the jar has nothing for its host). */
export function cookieHeader(jar: CookieJar, url: URL): string {
  return [...(jar.get(url.host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Applies every Set-Cookie line of a response from `url`. */
export function storeSetCookies(jar: CookieJar, url: URL, headers: Headers): void {
  for (const line of headers.getSetCookie()) storeSetCookie(jar, url, line);
}

export function storeSetCookie(jar: CookieJar, url: URL, line: string): void {
  const [pair, ...attributes] = line.split(';');
  const index = pair!.indexOf('=');
  const name = pair!.slice(0, index).trim();
  const value = pair!.slice(index + 1).trim();
  if (!jar.has(url.host)) jar.set(url.host, new Map());
  const cookies = jar.get(url.host)!;
  const expired = attributes.some((attribute) => {
    const [key, raw] = attribute.split('=').map((part) => part.trim());
    if (key!.toLowerCase() === 'max-age') return Number(raw) <= 0;
    if (key!.toLowerCase() === 'expires') return new Date(raw!).getTime() <= Date.now();
    return false;
  });
  if (expired || value === '') cookies.delete(name);
  else cookies.set(name, value);
}
