/** Connection & Security: the page and its sections. Every form posts with the CSRF token. */
import type { DeviceSummary, SecurityStatus } from '../../../../shared/account-api.ts';
import type { Account } from '../../accounts/types.ts';
import type { Enrollment } from '../two-factor-service.ts';
import { dateTimeIn } from '../../i18n/dates.ts';
import { msg, translateText, type Translate } from '../../i18n/translator.ts';
import { recommendationText } from '../security-status.ts';
import { ButtonForm, Field, Layout, Notice, PostForm, renderPage, Rich } from '../../ui/render.tsx';
import { DeveloperModeSection } from '../../apikeys/routes/views.tsx';
import type { Passkey } from '../../passkeys/types.ts';
import { PasskeySection, passkeyDoneMessages } from '../../passkeys/routes/views.tsx';

export const doneMessages: Record<string, string> = {
  password: msg('Your password was changed. Every other device was signed out.'),
  'password-keys': msg('Your password was changed. Every other device was signed out and every API key was revoked.'),
  '2fa-off': msg('Two-factor authentication is off.'),
  'logged-out-others': msg('Every other device was signed out.'),
  'device-out': msg('That device was signed out.'),
  'trusted-forgotten': msg('Every remembered device will be asked for a code again.'),
  ...passkeyDoneMessages,
};

export interface SecurityPageProps {
  /** The request's translation (`ctx.state.t`). */
  t: Translate;
  account: Account;
  csrf: string;
  status: SecurityStatus;
  devices: DeviceSummary[];
  apps: { clientId: string; name: string }[];
  trustedDevices: number;
  /** Developer mode (API keys module). */
  developerMode?: boolean;
  /** The account's passkeys (passkeys module). */
  passkeys?: Passkey[];
  done?: string;
  error?: string;
  fields?: Record<string, string>;
  /** A refused passkey name, shown beside that passkey's name field. */
  passkeyRename?: { id: string; message: string };
}

export function securityPage(p: SecurityPageProps): string {
  const { t } = p;
  const s = p.status;
  const day = (iso: string) => dateTimeIn(t, iso, p.account.timezone);
  return renderPage(
    <Layout t={t} title={t('Connection & Security')} user={p.account} active="security">
      <h1>{t('Connection & Security')}</h1>
      {p.done && doneMessages[p.done] && <Notice kind="success">{translateText(t, doneMessages[p.done]!)}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {s.recommendations.length > 0 && (
        <section aria-labelledby="recommendations">
          <h2 id="recommendations">{t('Recommendations')}</h2>
          <ul>{s.recommendations.map((r) => <li key={r.code}><a href={r.href}>{recommendationText(t, r.code, s)}</a></li>)}</ul>
        </section>
      )}

      <section aria-labelledby="activity">
        <h2 id="activity">{t('Recent security activity')}</h2>
        <p>{t('Who signed in to your account, from where, and what changed.')} <a href="/my/security/activity">{t('See recent security activity')}</a></p>
        <p><a href="/my/security/apps">{t('Connected databases and apps')}</a> · <a href="/my/security/trusted-devices">{t('Remembered devices')}</a> · <a href="/my/security/export">{t('Download my data')}</a></p>
      </section>

      <section aria-labelledby="password">
        <h2 id="password">{t('Password')}</h2>
        <p>{t('Last changed {{when}} ({{count}} day(s) ago).', { when: day(s.passwordChangedAt), count: s.passwordAgeDays })}{s.lastSignInAt ? ` ${t('Last sign-in {{when}}.', { when: day(s.lastSignInAt) })}` : ''}</p>
        <p class="hint">{t('Your account password also opens every database linked to your account. Changing it signs out every other device.')}</p>
        <PostForm action="/my/security/password" csrf={p.csrf}>
          <Field name="current_password" label={t('Current password')} type="password" autocomplete="current-password" error={p.fields?.current_password} />
          <Field name="new_password" label={t('New password')} type="password" autocomplete="new-password" minLength={8} error={p.fields?.new_password}
            hint={t('At least 8 characters. A long passphrase is best; very common passwords are refused.')} />
          <div class="field">
            <label><input type="checkbox" name="revoke_api_keys" value="on" /> {t('Also revoke every API key of this account')}</label>
            <p class="hint">{t('Tick it if someone else may have had your password: scripts using your keys stop working.')}</p>
          </div>
          <button type="submit">{t('Change password')}</button>
        </PostForm>
      </section>

      <PasskeySection t={t} timeZone={p.account.timezone} csrf={p.csrf} passkeys={p.passkeys ?? []} renameError={p.passkeyRename} />

      <section aria-labelledby="two-factor">
        <h2 id="two-factor">{t('Two-factor authentication')}</h2>
        {s.twoFactorEnabled ? (
          <>
            <p><Rich t={t} key_="{{on}} Signing in asks for a code from your authenticator app. Recovery codes left: {{left}} of 10."
              parts={{ on: <strong>{t('On.')}</strong>, left: <strong id="recovery-left">{s.recoveryCodesLeft}</strong> }} /></p>
            <div class="actions">
              <ButtonForm action="/my/security/2fa/recovery-codes" csrf={p.csrf} kind="secondary">{t('Create new recovery codes')}</ButtonForm>
              <ButtonForm action="/my/security/2fa/disable" csrf={p.csrf} kind="danger">{t('Turn off two-factor authentication')}</ButtonForm>
            </div>
            {p.trustedDevices > 0 && (
              <PostForm action="/my/security/2fa/forget-devices" csrf={p.csrf}>
                <p>{t('{{count}} device(s) are remembered and skip the code.', { count: p.trustedDevices })} <button type="submit" class="secondary">{t('Forget them')}</button></p>
              </PostForm>
            )}
          </>
        ) : (
          <>
            <p><Rich t={t} key_="{{off}} Protect your account with a code from an authenticator app (Google Authenticator, Authy, FreeOTP, ...)."
              parts={{ off: <strong>{t('Off.')}</strong> }} /></p>
            <ButtonForm action="/my/security/2fa/start" csrf={p.csrf}>{t('Turn on two-factor authentication')}</ButtonForm>
          </>
        )}
      </section>

      <section aria-labelledby="devices">
        <h2 id="devices">{t('Signed-in devices')}</h2>
        <table>
          <thead><tr><th>{t('Device')}</th><th>{t('IP address')}</th><th>{t('First seen')}</th><th>{t('Last active')}</th><th>{t('Apps')}</th><th></th></tr></thead>
          <tbody>
            {p.devices.map((d) => (
              <tr key={d.id} class="device">
                <td>{t('{{browser}} on {{os}}', { browser: translateText(t, d.browser), os: translateText(t, d.os) })}{d.current && <strong> {t('(this device)')}</strong>}</td>
                <td>{d.ip ?? t('unknown')}</td>
                <td>{day(d.firstSeenAt)}</td>
                <td>{day(d.lastSeenAt)}</td>
                <td>{d.apps.join(', ') || '—'}</td>
                <td>{!d.current && (
                  <ButtonForm action={`/my/security/devices/${encodeURIComponent(d.id)}/logout`} csrf={p.csrf} kind="secondary">{t('Sign out')}</ButtonForm>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.apps.length > 0 && <p>{t('Apps that can still act for you: {{apps}}.', { apps: p.apps.map((a) => a.name).join(', ') })}</p>}
        <PostForm action="/my/security/devices/logout-others" csrf={p.csrf}>
          <button type="submit">{t('Log out from all devices')}</button>
          <p class="hint">{t('Signs out every device and app session except this one; databases are told right away.')}</p>
        </PostForm>
      </section>

      <DeveloperModeSection t={t} enabled={p.developerMode ?? false} keys={s.apiKeys.total} expiringSoon={s.apiKeys.expiringWithin7Days} />

      <section aria-labelledby="delete">
        <h2 id="delete">{t('Delete your account')}</h2>
        <p><Rich t={t} key_="Deleting your account is {{irreversible}}." parts={{ irreversible: <strong>{t('irreversible')}</strong> }} /></p>
        <a class="button danger" href="/my/security/delete">{t('Delete my account…')}</a>
      </section>
    </Layout>,
  );
}

export function enrollmentPage(p: { t: Translate; account: Account; csrf: string; enrollment: Enrollment; error?: string; fields?: Record<string, string> }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Turn on two-factor authentication')} user={p.account} active="security">
      <h1>{t('Turn on two-factor authentication')}</h1>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section>
        <ol>
          <li>{t('Scan this QR code with your authenticator app.')}
            <p><img src={p.enrollment.qrDataUrl} alt={t('QR code for your authenticator app')} width={200} height={200} /></p>
          </li>
          <li><Rich t={t} key_="Or type this key: {{secret}} (time-based, 6 digits, 30 seconds)." parts={{ secret: <code id="totp-secret">{p.enrollment.secret}</code> }} /></li>
          <li>{t('Enter the code the app shows to finish.')}</li>
        </ol>
        <PostForm action="/my/security/2fa/confirm" csrf={p.csrf}>
          <Field name="code" label={t('Code from the app')} autocomplete="one-time-code" inputmode="numeric" maxLength={10} error={p.fields?.code} />
          <div class="actions">
            <button type="submit">{t('Turn on')}</button>
            <a href="/my/security">{t('Cancel')}</a>
          </div>
        </PostForm>
      </section>
    </Layout>,
  );
}

/** `title` is already translated. */
export function recoveryCodesPage(p: { t: Translate; account: Account; title: string; codes: string[] }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={p.title} user={p.account} active="security">
      <h1>{p.title}</h1>
      <Notice kind="info">{t('Save these recovery codes somewhere safe now: they are shown only once. Each works once, instead of a code from your app.')}</Notice>
      <ul id="recovery-codes" class="codes">{p.codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
      <p><a class="button" href="/my/security">{t('Done')}</a></p>
    </Layout>,
  );
}

export function deletePage(p: { t: Translate; account: Account; csrf: string; blockers: string[]; error?: string; fields?: Record<string, string> }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Delete your account')} user={p.account} active="security">
      <h1>{t('Delete your account')}</h1>
      <Notice kind="error">{t('This is irreversible. Your account, its sign-in methods, devices, API keys and database memberships are deleted and cannot be retrieved.')}</Notice>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.blockers.length > 0 ? (
        <p>{t('You cannot delete your account while you are the only owner of these databases with other members: {{databases}}.', { databases: p.blockers.join(', ') })}</p>
      ) : (
        <PostForm action="/my/security/delete" csrf={p.csrf}>
          <Field name="confirm_email" label={t('Type your email ({{email}}) to confirm', { email: p.account.email })} type="email" autocomplete="off" error={p.fields?.confirm_email} />
          <div class="actions">
            <button type="submit" class="danger">{t('Delete my account forever')}</button>
            <a href="/my/security">{t('Cancel')}</a>
          </div>
        </PostForm>
      )}
    </Layout>,
  );
}

/** The page after the account is gone (signed out: no navigation). */
export function deletedPage(t: Translate, email: string): string {
  return renderPage(
    <Layout t={t} title={t('Account deleted')}>
      <h1>{t('Your account was deleted')}</h1>
      <Notice kind="success">{t('Your account and everything attached to it are gone. We sent a last message to {{email}}.', { email })}</Notice>
      <p><a href="/signup">{t('Create a new account')}</a></p>
    </Layout>,
  );
}
