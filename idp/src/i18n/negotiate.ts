/**
 * Which language a request is answered in. Order: the signed-in account's own locale, then the `lang`
 * cookie the footer switcher sets, then the browser's Accept-Language (q-values; `fr-CA` falls back to
 * `fr`; `*` takes the first offered), then the first locale the deployment offers (IDP_LOCALES). Only an
 * offered locale is ever chosen: an account set to a language this deployment does not serve, a stale
 * cookie or an unknown tag falls through to the next source.
 */
import type { Locale } from './translator.ts';

export interface LocaleSources {
  /** The signed-in account's locale (accounts.locale), when there is one. */
  account?: string;
  /** The `lang` cookie. */
  cookie?: string;
  /** The Accept-Language header. */
  acceptLanguage?: string;
  /** The deployment's locales (IDP_LOCALES), never empty; the first is the default. */
  offered: readonly Locale[];
}

export const LANGUAGE_COOKIE = 'lang';

function offeredMatch(tag: string | undefined, offered: readonly Locale[]): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase();
  return offered.find((l) => l === lower) ?? offered.find((l) => l === lower.split('-')[0]);
}

/** The tags of an Accept-Language header, best first (q=0 and malformed entries dropped; ties keep their order). */
export function acceptedLanguages(header: string): string[] {
  return header.split(',').slice(0, 50).flatMap((part, index) => {
    const [tag = '', ...attributes] = part.trim().split(';');
    if (!/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/.test(tag.trim())) return [];
    const q = attributes.map((a) => /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/.exec(a)).find(Boolean);
    const quality = q ? Number(q[1]) : attributes.some((a) => /^\s*q\s*=/.test(a)) ? 0 : 1;
    return quality > 0 ? [{ tag: tag.trim(), quality, index }] : [];
  }).sort((a, b) => b.quality - a.quality || a.index - b.index).map((e) => e.tag);
}

export function negotiateLocale({ account, cookie, acceptLanguage, offered }: LocaleSources): Locale {
  const fromAccount = offeredMatch(account, offered);
  if (fromAccount) return fromAccount;
  const fromCookie = offered.find((l) => l === cookie);
  if (fromCookie) return fromCookie;
  for (const tag of acceptedLanguages(acceptLanguage ?? '')) {
    if (tag === '*') return offered[0]!;
    const found = offeredMatch(tag, offered);
    if (found) return found;
  }
  return offered[0]!;
}
