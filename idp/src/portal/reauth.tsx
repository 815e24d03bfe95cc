/**
 * The `recentAuth(what)` guard, the portal side of re-authentication: a sensitive request goes on when
 * the session signed in within the last 10 minutes; otherwise it answers with a page asking for the
 * password (and a 2FA code when 2FA is on), or one of the account's passkeys instead, in a form that
 * re-posts to the same address. A successful
 * re-authentication moves the session's `loginTs` forward, then the request goes on.
 *
 * Invariant: the page carries only non-secret fields of the original form as hidden inputs; a field
 * whose name looks like a password, secret, code or token is never echoed back into the page (the
 * person types it again on the form if the action needs it).
 */
import { isAppError } from '../errors.ts';
import type { AppContext } from '../http/context.ts';
import { defineGuard, type Guard } from '../http/route.ts';
import { html } from '../http/security-headers.ts';
import { isRecentAuth } from '../security/reauth.ts';
import { translateText } from '../i18n/translator.ts';
import { Field, Layout, Notice, PostForm, renderPage } from '../ui/render.tsx';
import { PasskeyReauth, usesPasskeyScript } from '../passkeys/routes/views.tsx';
import { portalOf } from './portal-session.ts';

const OWN_FIELDS = new Set(['_csrf', 'reauth_password', 'reauth_code', 'reauth_passkey']);
const SECRET_NAME = /pass|secret|code|token|otp/i;

/** The fields of the original form that may go back into the page. */
export function carriedFields(body: Record<string, unknown>): [string, string][] {
  return Object.entries(body).filter(([k, v]) => !OWN_FIELDS.has(k) && !SECRET_NAME.test(k) && typeof v === 'string') as [string, string][];
}

/**
 * Re-authentication within the last 10 minutes; `what` completes "To …, enter your password" and is a
 * catalog key (`msg('delete your account')`) so the page says it in the request's language. Needs `signedIn` first.
 */
export function recentAuth(what: string): Guard {
  return defineGuard('recent-sign-in', async (ctx) => askUnlessRecent(ctx, what), 'confirm');
}

async function askUnlessRecent(ctx: AppContext, what: string): Promise<boolean> {
  const { account, session } = portalOf(ctx);
  const { security } = ctx.state.services;
  if (isRecentAuth(session.loginTs)) return true;
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const password = typeof body.reauth_password === 'string' ? body.reauth_password.slice(0, 1024) : undefined;
  // A passkey answer (a user-verified passkey is two factors on its own), bound to this portal session.
  const passkey = typeof body.reauth_passkey === 'string' && body.reauth_passkey !== '' ? body.reauth_passkey : undefined;
  let error: string | undefined;
  let fields: Record<string, string> = {};
  let status = 401;
  if (password !== undefined || passkey !== undefined) {
    try {
      const code = typeof body.reauth_code === 'string' ? body.reauth_code.slice(0, 40) : undefined;
      session.loginTs = passkey !== undefined
        ? await ctx.state.services.passkeys.reauthenticate(account, session.uid, passkey, ctx.ip)
        : await security.reauth.reauthenticate(account, { password: password!, code }, ctx.ip);
      await session.persist();
      return true;
    } catch (e) {
      // The re-authentication form is this guard's own page: its errors are shown here, not on the route's form.
      if (!isAppError(e) || e.status >= 500) throw e;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      const shown = e.localized(ctx.state.t);
      error = shown.message;
      fields = shown.fields ?? {};
      status = e.status;
    }
  }
  const needsCode = await security.reauth.needsSecondFactor(account.id);
  const hasPasskeys = (await ctx.state.services.passkeys.count(account.id)) > 0;
  if (hasPasskeys) usesPasskeyScript(ctx);
  const carried = carriedFields(body);
  const { t } = ctx.state;
  const action = translateText(t, what);
  html(ctx, renderPage(
    <Layout t={t} title={t('Confirm it is you')} user={account} active="security">
      <h1>{t('Confirm it is you')}</h1>
      <p>{needsCode
        ? t('To {{action}}, enter your password and a code from your authenticator app. You will not be asked again for 10 minutes.', { action })
        : t('To {{action}}, enter your password. You will not be asked again for 10 minutes.', { action })}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <section>
        <PostForm action={ctx.path} csrf={ctx.state.csrfToken}>
          {carried.map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
          <Field name="reauth_password" label={t('Password')} type="password" autocomplete="current-password" error={fields.reauth_password} />
          {needsCode && (
            <Field name="reauth_code" label={t('Code from your authenticator app')} autocomplete="one-time-code" inputmode="numeric" maxLength={20} error={fields.reauth_code} />
          )}
          <div class="actions">
            <button type="submit">{t('Confirm')}</button>
            <a href="/my/security">{t('Cancel')}</a>
          </div>
        </PostForm>
        {hasPasskeys && <PasskeyReauth t={t} action={ctx.path} csrf={ctx.state.csrfToken} carried={carried} />}
      </section>
    </Layout>,
  ), status);
  return false;
}
