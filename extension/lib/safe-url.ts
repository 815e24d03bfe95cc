/** URLs from the API are opened in tabs only when they are plain http(s); portal paths must be same-origin. */

export function httpUrlOrNull(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** `href` is an absolute path on the IdP portal (`/my/security#two-factor`). */
export function portalUrl(issuer: string, href: string): string | null {
  if (!href.startsWith('/') || href.startsWith('//')) return null;
  const url = new URL(href, `${issuer}/`);
  return url.origin === new URL(issuer).origin ? url.toString() : null;
}
