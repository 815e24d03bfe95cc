/**
 * Server-side rendering of every HTML page: Preact components to a string inside one layout. Pages work
 * without JavaScript; the only stylesheet is /static/portal.css (same origin, allowed by the CSP).
 *
 * Accessibility invariants (checked by test/e2e/accessibility.test.ts with axe-core, WCAG 2.1 AA):
 * - every form control has a label, and a control `f-<name>` has its hint at `f-<name>-hint` and its
 *   error at `f-<name>-error`; a control with an error carries `aria-invalid="true"` and an
 *   `aria-describedby` that names the error (`controlAria`), so a screen reader reads it on focus;
 * - the page-level error is a `role="alert"` live region (`Notice kind="error"`), announced on load;
 * - required fields carry `required` (the browser exposes it as aria-required);
 * - one `<main id="main">` landmark, reached by the skip link that is the first focusable element.
 */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { LANGUAGE_NAMES, type Locale, type MessageKey, type Translate } from '../i18n/translator.ts';

/** The footer language switcher of a signed-out page (built by http/language.ts `languageSwitch(ctx)`). */
export interface LanguageSwitch {
  current: Locale;
  offered: readonly Locale[];
  csrf: string;
  /** The page to come back to after the switch (a path on this site). */
  returnTo: string;
}

export interface LayoutProps {
  /** Already translated (`t('Sign in')`); the layout adds " · Latchkey". */
  title: string;
  /** The request's translation (`ctx.state.t`): sets `<html lang>` and the layout's own words. */
  t: Translate;
  /** Signed-out pages: the footer's language switcher (`languageSwitch(ctx)`), when more than one is offered. */
  switcher?: LanguageSwitch;
  /** Signed-in person, when there is one: shows the portal navigation and sign-out. */
  user?: { name: string; email: string };
  active?: 'account' | 'security' | 'databases';
  children: ComponentChildren;
}

export function Layout({ title, t, switcher, user, active, children }: LayoutProps): VNode {
  return (
    <html lang={t.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Latchkey`}</title>
        <link rel="stylesheet" href="/static/portal.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">{t('Skip to main content')}</a>
        <header class="top">
          <a class="brand" href={user ? '/my/account' : '/'}>Latchkey</a>
          {user && (
            <nav aria-label={t('Account')}>
              <a href="/my/account" aria-current={active === 'account' ? 'page' : undefined}>{t('Account Information')}</a>
              <a href="/my/security" aria-current={active === 'security' ? 'page' : undefined}>{t('Connection & Security')}</a>
              <a href="/my/databases" aria-current={active === 'databases' ? 'page' : undefined}>{t('Databases')}</a>
              <a href="/session/end">{t('Log out')}</a>
            </nav>
          )}
        </header>
        <main id="main" tabindex={-1}>{children}</main>
        {switcher && <LanguageSwitcher t={t} switcher={switcher} />}
      </body>
    </html>
  );
}

/**
 * One small form per offered language, posting to /language (CSRF as every form); the current language
 * is plain text. Each name is written in its own language and marked so (`lang`) for screen readers.
 */
function LanguageSwitcher({ t, switcher }: { t: Translate; switcher: LanguageSwitch }): VNode {
  return (
    <footer class="languages">
      <nav aria-label={t('Language')}>
        <ul>
          {switcher.offered.map((locale) => (
            <li key={locale} lang={locale}>
              {locale === switcher.current ? (
                <span aria-current="true">{LANGUAGE_NAMES[locale]}</span>
              ) : (
                <PostForm action="/language" csrf={switcher.csrf}>
                  <input type="hidden" name="locale" value={locale} />
                  <input type="hidden" name="return_to" value={switcher.returnTo} />
                  <button type="submit" class="link">{LANGUAGE_NAMES[locale]}</button>
                </PostForm>
              )}
            </li>
          ))}
        </ul>
      </nav>
    </footer>
  );
}

/**
 * A translated sentence with markup in it: `t(key)` with each `{{name}}` replaced by the element given
 * for it, so the words stay one catalog sentence while `<strong>` or a link sits where the language puts it:
 * `<Rich t={t} key_=(a catalog key with {{email}}) parts={{ email: <strong>{email}</strong> }} />` (see accounts/routes/mailed-link.tsx).
 */
export function Rich<K extends MessageKey>({ t, key_, parts }: { t: Translate; key_: K; parts: Record<string, ComponentChildren> }): VNode {
  const say = t as unknown as (key: string, params: Record<string, string>) => string;
  const text = say(key_, Object.fromEntries(Object.keys(parts).map((name) => [name, `\uE000${name}\uE001`])));
  return <>{text.split(/\uE000(\w+)\uE001/).map((piece, i) => (i % 2 === 1 ? parts[piece] : piece))}</>;
}

export function renderPage(page: VNode): string {
  return `<!DOCTYPE html>${renderToString(page)}`;
}

export function CsrfField({ token }: { token: string }): VNode {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A form posting to `action` with its CSRF field first. */
export function PostForm({ action, csrf, children }: { action: string; csrf: string; children: ComponentChildren }): VNode {
  return (
    <form method="post" action={action}>
      <CsrfField token={csrf} />
      {children}
    </form>
  );
}

/** A form that is one button (accept, revoke, sign out, ...): `kind` is the button's class. */
export function ButtonForm({ action, csrf, kind, children }: { action: string; csrf: string; kind?: 'secondary' | 'danger' | 'link'; children: ComponentChildren }): VNode {
  return (
    <PostForm action={action} csrf={csrf}>
      <button type="submit" class={kind}>{children}</button>
    </PostForm>
  );
}

/** A titled part of a page, named by its heading for assistive technology. */
export function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }): VNode {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ComponentChildren }): VNode {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** The ids of a control named `name` and of its hint and error message (one scheme for every form). */
export function fieldIds(name: string): { id: string; hint: string; error: string } {
  const id = `f-${name}`;
  return { id, hint: `${id}-hint`, error: `${id}-error` };
}

/**
 * The ARIA attributes of a control with an optional hint and error: `aria-invalid` when there is an
 * error, `aria-describedby` naming the hint and the error elements that are drawn (`FieldMessages`).
 */
export function controlAria(name: string, p: { error?: string; hint?: boolean }): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  const ids = fieldIds(name);
  const described = [p.hint ? ids.hint : '', p.error ? ids.error : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': p.error ? 'true' : undefined, 'aria-describedby': described || undefined };
}

/** The hint and the error message of the control named `name`, with the ids `controlAria` points at. */
export function FieldMessages({ name, hint, error }: { name: string; hint?: ComponentChildren; error?: string }): VNode {
  const ids = fieldIds(name);
  return (
    <>
      {hint && <p class="hint" id={ids.hint}>{hint}</p>}
      {error && <p class="field-error" id={ids.error}>{error}</p>}
    </>
  );
}

/**
 * Splits a form error between the page and the fields: a message about a field the form draws sits
 * beside it (and its control is marked invalid); any other (the whole form, the rate limit) goes on top.
 */
export function formError(error: { message: string; fields?: Record<string, string> }, names: readonly string[]): { error?: string; fields: Record<string, string> } {
  const fields = Object.fromEntries(Object.entries(error.fields ?? {}).filter(([k]) => names.includes(k)));
  return { fields, error: Object.keys(fields).length > 0 ? undefined : error.message };
}

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  inputmode?: string;
  minLength?: number;
  maxLength?: number;
}

export function Field({ name, label, type = 'text', value, error, autocomplete, required = true, hint, inputmode, minLength, maxLength }: FieldProps): VNode {
  const { id } = fieldIds(name);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type as 'text'}
        value={value}
        autocomplete={autocomplete}
        required={required}
        inputMode={inputmode as never}
        minLength={minLength}
        maxLength={maxLength}
        {...controlAria(name, { error, hint: Boolean(hint) })}
      />
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

export interface SelectProps {
  name: string;
  label: string;
  options: readonly (string | readonly [value: string, label: string])[];
  value?: string;
  error?: string;
  hint?: string;
}

/** A labelled `<select>` with the same hint/error association as `Field`. */
export function Select(p: SelectProps): VNode {
  return (
    <div class="field">
      <label for={fieldIds(p.name).id}>{p.label}</label>
      <select id={fieldIds(p.name).id} name={p.name} {...controlAria(p.name, { error: p.error, hint: Boolean(p.hint) })}>
        {p.options.map((o) => {
          const [value, label] = typeof o === 'string' ? [o, o] : o;
          return <option key={value} value={value} selected={value === p.value}>{label}</option>;
        })}
      </select>
      <FieldMessages name={p.name} hint={p.hint} error={p.error} />
    </div>
  );
}

/** A labelled `<textarea>` with the same hint/error association as `Field`. */
export function TextArea(p: { name: string; label: string; value: string; error?: string; hint?: string; rows?: number }): VNode {
  return (
    <div class="field">
      <label for={fieldIds(p.name).id}>{p.label}</label>
      <textarea id={fieldIds(p.name).id} name={p.name} rows={p.rows ?? 3} {...controlAria(p.name, { error: p.error, hint: Boolean(p.hint) })}>{p.value}</textarea>
      <FieldMessages name={p.name} hint={p.hint} error={p.error} />
    </div>
  );
}

/**
 * A group of radio buttons or checkboxes (`fieldset` + `legend`): the group is described by its error
 * (`f-<name>-error`) and each of its inputs is marked invalid, so either is announced with the message.
 * `children` are the labelled inputs, each given `controlAria(name, { error })`.
 */
export function Choices({ name, legend, error, children }: { name: string; legend: string; error?: string; children: ComponentChildren }): VNode {
  return (
    <fieldset class="field" aria-describedby={error ? fieldIds(name).error : undefined}>
      <legend>{legend}</legend>
      {children}
      <FieldMessages name={name} error={error} />
    </fieldset>
  );
}

/**
 * The GET side of a one-time mailed link: a page with one button that POSTs the token. Mail scanners that
 * prefetch links only GET, so they cannot spend it.
 */
export function ConfirmLinkPage(p: { t: Translate; title: string; heading: string; action: string; token: string; csrf: string; button: string; children?: ComponentChildren }): VNode {
  return (
    <Layout t={p.t} title={p.title}>
      <h1>{p.heading}</h1>
      {p.children}
      <PostForm action={p.action} csrf={p.csrf}>
        <input type="hidden" name="token" value={p.token} />
        <button type="submit">{p.button}</button>
      </PostForm>
    </Layout>
  );
}
