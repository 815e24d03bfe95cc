/**
 * The language of a request, decided once at the edge (app.ts, before anything can fail) from the `lang`
 * cookie and Accept-Language, and decided again, with the account's own locale first, by the guard that
 * signs a portal account in (portal/portal-session.ts). Pages read it as `ctx.state.t`.
 *
 * POST /language is the footer switcher of signed-out pages: it stores the choice in the `lang` cookie
 * (a year; HttpOnly, SameSite=Lax, Secure over https like our other cookies) and sends the browser back
 * to the page it came from, a path on this site only (never an absolute or protocol-relative address).
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { LANGUAGE_COOKIE, negotiateLocale } from '../i18n/negotiate.ts';
import { msg, translator, type Locale } from '../i18n/translator.ts';
import type { LanguageSwitch } from '../ui/render.tsx';
import type { AppContext } from './context.ts';
import { seeOther } from './redirect.ts';
import { defineRoute } from './route.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Sets `ctx.state.t` for this request; `account` is the signed-in account's locale, once it is known. */
export function decideLanguage(ctx: AppContext, offered: readonly Locale[], account?: string): void {
  const locale = negotiateLocale({ account, cookie: ctx.cookies.get(LANGUAGE_COOKIE), acceptLanguage: ctx.get('Accept-Language'), offered });
  ctx.state.offeredLocales = offered;
  ctx.state.t = translator(locale);
}

/** The signed-in account's own locale wins over the cookie and the browser (when the deployment offers it). */
export function useAccountLanguage(ctx: AppContext, accountLocale: string): void {
  decideLanguage(ctx, ctx.state.offeredLocales, accountLocale);
}

/** A path on this site: one leading slash, not `//` or `/\` (another host), printable ASCII only. */
export function isLocalPath(value: string): boolean {
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(value);
}

/** The page a switch comes back to: this GET page, or for a form answer the page the form was on. */
function pageAddress(ctx: AppContext): string {
  if (ctx.method === 'GET' && isLocalPath(ctx.originalUrl) && ctx.originalUrl.length <= 2000) return ctx.originalUrl;
  const referer = ctx.get('Referer');
  if (referer && URL.canParse(referer)) {
    const url = new URL(referer);
    const local = url.pathname + url.search;
    if (url.origin === ctx.origin && isLocalPath(local) && local.length <= 2000) return local;
  }
  return '/';
}

/** What the footer switcher of a signed-out page needs, or undefined when the deployment offers one language. */
export function languageSwitch(ctx: AppContext): LanguageSwitch | undefined {
  const offered = ctx.state.offeredLocales;
  if (offered.length < 2) return undefined;
  return { current: ctx.state.t.locale, offered, csrf: ctx.state.csrfToken, returnTo: pageAddress(ctx) };
}

/** What every signed-out page takes from the request: its translator, the footer switcher and the CSRF token. */
export function signedOutPage(ctx: AppContext): { t: AppContext['state']['t']; switcher: LanguageSwitch | undefined; csrf: string } {
  return { t: ctx.state.t, switcher: languageSwitch(ctx), csrf: ctx.state.csrfToken };
}

const languageForm = z.object({
  locale: z.string({ error: msg('Choose a language.') }).max(20, msg('Choose one of the languages offered.')),
  return_to: z.string({ error: msg('The address to return to is not valid.') })
    .max(2000, msg('The address to return to is too long.'))
    .refine(isLocalPath, msg('The address to return to must be a page of this site.'))
    .optional(),
});

export const chooseLanguage = defineRoute('POST /language', { input: { body: languageForm } }, async (ctx, { body }, deps) => {
  const locale = ctx.state.offeredLocales.find((l) => l === body.locale);
  if (!locale) throw new AppError('invalid_input', msg('Choose one of the languages offered.'), { fields: { locale: msg('Choose one of the languages offered.') } });
  ctx.cookies.set(LANGUAGE_COOKIE, locale, { httpOnly: true, sameSite: 'lax', secure: deps.secure, path: '/', maxAge: YEAR_MS, overwrite: true });
  seeOther(ctx, body.return_to ?? '/');
});
