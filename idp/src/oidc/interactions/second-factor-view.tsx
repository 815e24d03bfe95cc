/** The second step of a sign-in with 2FA: a code from the app, or a recovery code. */
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';

export function secondFactorView(p: { uid: string; csrf: string; clientName: string; error?: string; fields?: Record<string, string> }): string {
  return renderPage(
    <Layout title="Two-factor authentication">
      <h1>Two-factor authentication</h1>
      <p class="muted">to continue to {p.clientName}</p>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section>
        <form method="post" action={`/interaction/${p.uid}/second-factor`}>
          <CsrfField token={p.csrf} />
          <Field name="code" label="Code from your authenticator app" autocomplete="one-time-code" inputmode="numeric" maxLength={20} error={p.fields?.code}
            hint="Enter the 6-digit code, or one of your recovery codes (like abcde-fghjk)." />
          <div class="field">
            <label><input type="checkbox" name="remember" value="yes" /> Remember this device for 30 days</label>
          </div>
          <button type="submit">Verify</button>
        </form>
      </section>
      <form method="post" action={`/interaction/${p.uid}/abort`}>
        <CsrfField token={p.csrf} />
        <button type="submit" class="secondary">Cancel</button>
      </form>
    </Layout>,
  );
}
