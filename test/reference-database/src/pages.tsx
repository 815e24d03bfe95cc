/** Server-rendered pages. Presentational only: every value comes in through props. */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { UserRow } from './repository.ts';
import { MIN_PASSWORD_LENGTH } from './service.ts';

export const STYLESHEET = `
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
header nav a, header nav form { margin-left: 1rem; display: inline; }
form.stacked label { display: block; margin: .75rem 0 .25rem; }
form.stacked input { width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin-top: .75rem; padding: .4rem 1rem; }
.notice { background: #eef7ee; border: 1px solid #9c9; padding: .5rem 1rem; }
.error { background: #fbeeee; border: 1px solid #c99; padding: .5rem 1rem; }
.hint { color: #555; font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
hr { margin: 2rem 0; border: 0; border-top: 1px solid #ddd; }
`;

interface LayoutProps {
  dbName: string;
  title: string;
  user?: UserRow | null;
  csrfToken?: string;
  children: ComponentChildren;
}

export function renderPage(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

function Layout({ dbName, title, user, csrfToken, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${dbName}`}</title>
        <link rel="stylesheet" href="/style.css" />
      </head>
      <body>
        <header>
          <h2>{dbName}</h2>
          {user && csrfToken ? (
            <nav>
              <a href="/">Home</a>
              <a href="/preferences">My Preferences</a>
              <a href="/settings">Settings</a>
              <form method="post" action="/logout">
                <input type="hidden" name="csrf" value={csrfToken} />
                <button type="submit">Sign out</button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

function Messages({ notice, error }: { notice?: string | null; error?: string | null }) {
  return (
    <>
      {notice ? <p class="notice" role="status">{notice}</p> : null}
      {error ? <p class="error" role="alert">{error}</p> : null}
    </>
  );
}

export function LoginPage(props: { dbName: string; csrfToken: string; returnTo: string; email?: string; notice?: string | null; error?: string | null }) {
  return (
    <Layout dbName={props.dbName} title="Sign in">
      <Messages notice={props.notice} error={props.error} />
      <form method="post" action="/login/sso">
        <input type="hidden" name="csrf" value={props.csrfToken} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <button type="submit">Sign in with your account</button>
      </form>
      <p class="hint">Your account password works on every database you belong to.</p>
      <hr />
      <form method="post" action="/login/password" class="stacked">
        <input type="hidden" name="csrf" value={props.csrfToken} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <label for="email">Email (your sign-in login on this database)</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={props.email ?? ''} />
        <label for="password">Database password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        If you have not set a password for this database, or it does not match, you will continue to your account's
        sign-in page.
      </p>
    </Layout>
  );
}

export function HomePage(props: { dbName: string; csrfToken: string; user: UserRow; hasDatabasePassword: boolean; signedInWith: string }) {
  const { user } = props;
  return (
    <Layout dbName={props.dbName} title={`Welcome, ${user.name ?? user.login}`} user={user} csrfToken={props.csrfToken}>
      <dl>
        <dt>Sign-in login</dt>
        <dd data-field="login">{user.login}</dd>
        <dt>Preferences email</dt>
        <dd data-field="preferences-email">{user.preferences_email}</dd>
        <dt>Role</dt>
        <dd data-field="role">{user.role}</dd>
        <dt>Database password</dt>
        <dd data-field="database-password">{props.hasDatabasePassword ? 'set' : 'not set'}</dd>
        <dt>Signed in with</dt>
        <dd data-field="signed-in-with">{props.signedInWith}</dd>
      </dl>
    </Layout>
  );
}

export function SettingsPage(props: { dbName: string; csrfToken: string; user: UserRow; hasDatabasePassword: boolean; notice?: string | null; error?: string | null }) {
  return (
    <Layout dbName={props.dbName} title="Settings" user={props.user} csrfToken={props.csrfToken}>
      <Messages notice={props.notice} error={props.error} />
      <h3>Database-specific password</h3>
      <p>
        A database password is an extra way to sign in to this database only. Your account password keeps working
        here whether or not you set one.
      </p>
      <p data-field="database-password">Currently: {props.hasDatabasePassword ? 'set' : 'not set'}.</p>
      <form method="post" action="/settings/password" class="stacked">
        <input type="hidden" name="csrf" value={props.csrfToken} />
        <label for="password">New database password (at least {MIN_PASSWORD_LENGTH} characters)</label>
        <input id="password" name="password" type="password" autocomplete="new-password" minLength={MIN_PASSWORD_LENGTH} required />
        <label for="confirm">Repeat it</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        <button type="submit">Set database password</button>
      </form>
      {props.hasDatabasePassword ? (
        <form method="post" action="/settings/password/clear">
          <input type="hidden" name="csrf" value={props.csrfToken} />
          <button type="submit">Remove database password</button>
        </form>
      ) : null}
    </Layout>
  );
}

export function PreferencesPage(props: { dbName: string; csrfToken: string; user: UserRow; notice?: string | null; error?: string | null; email?: string }) {
  return (
    <Layout dbName={props.dbName} title="My Preferences" user={props.user} csrfToken={props.csrfToken}>
      <Messages notice={props.notice} error={props.error} />
      <form method="post" action="/preferences" class="stacked">
        <input type="hidden" name="csrf" value={props.csrfToken} />
        <label for="email">Email used by this database</label>
        <input id="email" name="email" type="email" autocomplete="email" required value={props.email ?? props.user.preferences_email} />
        <button type="submit">Save</button>
      </form>
      <p class="hint" data-field="login-note">
        You still sign in to this database as <strong>{props.user.login}</strong>. Changing this email does not change
        your sign-in login, and changing your account email does not change it either. To change the sign-in login,
        contact support.
      </p>
    </Layout>
  );
}

export function ErrorPage(props: { dbName: string; title: string; message: string; status: number }) {
  return (
    <Layout dbName={props.dbName} title={props.title}>
      <p class="error" role="alert" data-status={String(props.status)}>
        {props.message}
      </p>
      <p>
        <a href="/login">Back to sign-in</a> · <a href="/">Home</a>
      </p>
    </Layout>
  );
}
