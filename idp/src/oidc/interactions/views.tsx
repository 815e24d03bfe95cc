/** The sign-in, sign-up and consent screens of an authorization request. */
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { PasskeySignIn } from '../../passkeys/routes/views.tsx';

export interface LoginViewProps {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
  /** Messages about one field (a malformed email), shown beside it; the page-level error stays on top. */
  fields?: Record<string, string>;
  notice?: string;
  /** Signing in to a database: the identifier is the membership's sign-in login. */
  forDatabase?: boolean;
}

export function loginView(p: LoginViewProps): string {
  return renderPage(
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <p class="muted">to continue to {p.clientName}</p>
      {p.notice && <Notice kind="info">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section>
        <form method="post" action={`/interaction/${p.uid}/login`}>
          <CsrfField token={p.csrf} />
          {p.forDatabase ? (
            <Field name="email" label="Sign-in login" type="email" autocomplete="username webauthn" value={p.email} error={p.fields?.email}
              hint={`The email address you sign in to ${p.clientName} with (it may differ from your account email).`} />
          ) : (
            <Field name="email" label="Email" type="email" autocomplete="username webauthn" value={p.email} error={p.fields?.email} />
          )}
          <Field name="password" label="Password" type="password" autocomplete="current-password" error={p.fields?.password}
            hint={p.forDatabase ? 'Your account password (or a database-specific one, on the database itself).' : undefined} />
          <div class="actions">
            <button type="submit">Sign in</button>
            <a href="/password/forgot">Forgot your password?</a>
          </div>
        </form>
        <PasskeySignIn uid={p.uid} csrf={p.csrf} />
      </section>
      <p>
        No account yet? <a href="/signup">Create an account</a>
      </p>
      <form method="post" action={`/interaction/${p.uid}/abort`}>
        <CsrfField token={p.csrf} />
        <button type="submit" class="secondary">Cancel</button>
      </form>
    </Layout>,
  );
}

export interface ConsentViewProps {
  uid: string;
  csrf: string;
  clientName: string;
  scopes: string[];
}

const scopeText: Record<string, string> = {
  openid: 'Know who you are',
  email: 'See your email address',
  profile: 'See your name, language and time zone',
  offline_access: 'Stay connected when you are not using it',
  account: 'Read and manage your account security',
};

export function consentView(p: ConsentViewProps): string {
  return renderPage(
    <Layout title="Allow access">
      <h1>Allow {p.clientName}?</h1>
      <section>
        <p>{p.clientName} asks to:</p>
        <ul>{p.scopes.map((s) => <li key={s}>{scopeText[s] ?? s}</li>)}</ul>
        <div class="actions">
          <form method="post" action={`/interaction/${p.uid}/confirm`}>
            <CsrfField token={p.csrf} />
            <button type="submit" autofocus>Allow</button>
          </form>
          <form method="post" action={`/interaction/${p.uid}/abort`}>
            <CsrfField token={p.csrf} />
            <button type="submit" class="secondary">Deny</button>
          </form>
        </div>
      </section>
    </Layout>,
  );
}
