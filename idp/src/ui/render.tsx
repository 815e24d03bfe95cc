/**
 * Server-side rendering of every HTML page: Preact components to a string inside one layout. Pages work
 * without JavaScript; the only stylesheet is /static/portal.css (same origin, allowed by the CSP).
 */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export interface LayoutProps {
  title: string;
  /** Signed-in person, when there is one: shows the portal navigation and sign-out. */
  user?: { name: string; email: string };
  active?: 'account' | 'security' | 'databases';
  children: ComponentChildren;
}

export function Layout({ title, user, active, children }: LayoutProps): VNode {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Latchkey`}</title>
        <link rel="stylesheet" href="/static/portal.css" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href={user ? '/my/account' : '/'}>Latchkey</a>
          {user && (
            <nav aria-label="Account">
              <a href="/my/account" aria-current={active === 'account' ? 'page' : undefined}>Account Information</a>
              <a href="/my/security" aria-current={active === 'security' ? 'page' : undefined}>Connection &amp; Security</a>
              <a href="/my/databases" aria-current={active === 'databases' ? 'page' : undefined}>Databases</a>
              <a href="/session/end">Log out</a>
            </nav>
          )}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

export function renderPage(page: VNode): string {
  return `<!DOCTYPE html>${renderToString(page)}`;
}

export function CsrfField({ token }: { token: string }): VNode {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ComponentChildren }): VNode {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
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
  const id = `f-${name}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
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
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
      />
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

/**
 * The GET side of a one-time mailed link: a page with one button that POSTs the token. Mail scanners that
 * prefetch links only GET, so they cannot spend it.
 */
export function ConfirmLinkPage(p: { title: string; heading: string; action: string; token: string; csrf: string; button: string; children?: ComponentChildren }): VNode {
  return (
    <Layout title={p.title}>
      <h1>{p.heading}</h1>
      {p.children}
      <form method="post" action={p.action}>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <button type="submit">{p.button}</button>
      </form>
    </Layout>
  );
}
