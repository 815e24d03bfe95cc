/**
 * The portal side of re-authentication: a sensitive POST runs its action when the session signed in
 * within the last 10 minutes; otherwise it answers with a page asking for the password (and a 2FA code
 * when 2FA is on), or one of the account's passkeys instead, in a form that re-posts the same fields to
 * the same address. A successful
 * re-authentication moves the session's `loginTs` forward, then the action runs.
 */
import { isAppError } from '../errors.ts';
import type { AppContext } from '../http/context.ts';
import { html } from '../http/router.ts';
import { isRecentAuth } from '../security/reauth.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../ui/render.tsx';
import { PasskeyReauth, usesPasskeyScript } from '../passkeys/routes/views.tsx';

const OWN_FIELDS = new Set(['_csrf', 'reauth_password', 'reauth_code', 'reauth_passkey']);

export async function withRecentAuth(ctx: AppContext, what: string, action: () => Promise<void>): Promise<void> {
  const { account, session } = ctx.state.portal!;
  const { security } = ctx.state.services;
  if (isRecentAuth(session.loginTs)) {
    await action();
    return;
  }
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const password = typeof body.reauth_password === 'string' ? body.reauth_password.slice(0, 1024) : undefined;
  // A passkey answer (a user-verified passkey is two factors on its own), bound to this portal session.
  const passkey = typeof body.reauth_passkey === 'string' && body.reauth_passkey !== '' ? body.reauth_passkey : undefined;
  let error: string | undefined;
  let status = 401;
  if (password !== undefined || passkey !== undefined) {
    let ok = false;
    try {
      const code = typeof body.reauth_code === 'string' ? body.reauth_code.slice(0, 40) : undefined;
      session.loginTs = passkey !== undefined
        ? await ctx.state.services.passkeys.reauthenticate(account, session.uid, passkey, ctx.ip)
        : await security.reauth.reauthenticate(account, { password: password!, code }, ctx.ip);
      await session.persist();
      ok = true;
    } catch (e) {
      if (!isAppError(e) || e.status >= 500) throw e;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      error = e.message;
      status = e.status;
    }
    if (ok) {
      await action();
      return;
    }
  }
  const needsCode = await security.reauth.needsSecondFactor(account.id);
  const hasPasskeys = (await ctx.state.services.passkeys.count(account.id)) > 0;
  if (hasPasskeys) usesPasskeyScript(ctx);
  const carried = Object.entries(body).filter(([k, v]) => !OWN_FIELDS.has(k) && typeof v === 'string') as [string, string][];
  html(ctx, renderPage(
    <Layout title="Confirm it is you" user={account} active="security">
      <h1>Confirm it is you</h1>
      <p>To {what}, enter your password{needsCode ? ' and a code from your authenticator app' : ''}. You will not be asked again for 10 minutes.</p>
      {error && <Notice kind="error">{error}</Notice>}
      <section>
        <form method="post" action={ctx.path}>
          <CsrfField token={ctx.state.csrfToken} />
          {carried.map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
          <Field name="reauth_password" label="Password" type="password" autocomplete="current-password" />
          {needsCode && (
            <Field name="reauth_code" label="Code from your authenticator app" autocomplete="one-time-code" inputmode="numeric" maxLength={20} />
          )}
          <div class="actions">
            <button type="submit">Confirm</button>
            <a href="/my/security">Cancel</a>
          </div>
        </form>
        {hasPasskeys && <PasskeyReauth action={ctx.path} csrf={ctx.state.csrfToken} carried={carried} />}
      </section>
    </Layout>,
  ), status);
}
