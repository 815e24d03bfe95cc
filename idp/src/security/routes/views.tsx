/** Connection & Security: the page and its sections. Every form posts with the CSRF token. */
import type { DeviceSummary, SecurityStatus } from '../../../../shared/account-api.ts';
import type { Account } from '../../accounts/types.ts';
import type { Enrollment } from '../two-factor-service.ts';
import { CsrfField, Field, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { DeveloperModeSection } from '../../apikeys/routes/views.tsx';
import type { Passkey } from '../../passkeys/types.ts';
import { PasskeySection, passkeyDoneMessages } from '../../passkeys/routes/views.tsx';

export const doneMessages: Record<string, string> = {
  password: 'Your password was changed. Every other device was signed out.',
  'password-keys': 'Your password was changed. Every other device was signed out and every API key was revoked.',
  '2fa-off': 'Two-factor authentication is off.',
  'logged-out-others': 'Every other device was signed out.',
  'device-out': 'That device was signed out.',
  'trusted-forgotten': 'Every remembered device will be asked for a code again.',
  ...passkeyDoneMessages,
};

const day = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export interface SecurityPageProps {
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
  const s = p.status;
  return renderPage(
    <Layout title="Connection & Security" user={p.account} active="security">
      <h1>Connection &amp; Security</h1>
      {p.done && doneMessages[p.done] && <Notice kind="success">{doneMessages[p.done]}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {s.recommendations.length > 0 && (
        <section aria-labelledby="recommendations">
          <h2 id="recommendations">Recommendations</h2>
          <ul>{s.recommendations.map((r) => <li key={r.code}><a href={r.href}>{r.message}</a></li>)}</ul>
        </section>
      )}

      <section aria-labelledby="activity">
        <h2 id="activity">Recent security activity</h2>
        <p>Who signed in to your account, from where, and what changed. <a href="/my/security/activity">See recent security activity</a></p>
        <p><a href="/my/security/apps">Connected databases and apps</a> · <a href="/my/security/trusted-devices">Remembered devices</a> · <a href="/my/security/export">Download my data</a></p>
      </section>

      <section aria-labelledby="password">
        <h2 id="password">Password</h2>
        <p>Last changed {day(s.passwordChangedAt)} ({s.passwordAgeDays} day(s) ago).{s.lastSignInAt ? ` Last sign-in ${day(s.lastSignInAt)}.` : ''}</p>
        <p class="hint">Your account password also opens every database linked to your account. Changing it signs out every other device.</p>
        <form method="post" action="/my/security/password">
          <CsrfField token={p.csrf} />
          <Field name="current_password" label="Current password" type="password" autocomplete="current-password" error={p.fields?.current_password} />
          <Field name="new_password" label="New password" type="password" autocomplete="new-password" minLength={8} error={p.fields?.new_password}
            hint="At least 8 characters. A long passphrase is best; very common passwords are refused." />
          <div class="field">
            <label><input type="checkbox" name="revoke_api_keys" value="on" /> Also revoke every API key of this account</label>
            <p class="hint">Tick it if someone else may have had your password: scripts using your keys stop working.</p>
          </div>
          <button type="submit">Change password</button>
        </form>
      </section>

      <PasskeySection csrf={p.csrf} passkeys={p.passkeys ?? []} renameError={p.passkeyRename} />

      <section aria-labelledby="two-factor">
        <h2 id="two-factor">Two-factor authentication</h2>
        {s.twoFactorEnabled ? (
          <>
            <p><strong>On.</strong> Signing in asks for a code from your authenticator app. Recovery codes left: <strong id="recovery-left">{s.recoveryCodesLeft}</strong> of 10.</p>
            <div class="actions">
              <form method="post" action="/my/security/2fa/recovery-codes">
                <CsrfField token={p.csrf} />
                <button type="submit" class="secondary">Create new recovery codes</button>
              </form>
              <form method="post" action="/my/security/2fa/disable">
                <CsrfField token={p.csrf} />
                <button type="submit" class="danger">Turn off two-factor authentication</button>
              </form>
            </div>
            {p.trustedDevices > 0 && (
              <form method="post" action="/my/security/2fa/forget-devices">
                <CsrfField token={p.csrf} />
                <p>{p.trustedDevices} device(s) are remembered and skip the code. <button type="submit" class="secondary">Forget them</button></p>
              </form>
            )}
          </>
        ) : (
          <>
            <p><strong>Off.</strong> Protect your account with a code from an authenticator app (Google Authenticator, Authy, FreeOTP, ...).</p>
            <form method="post" action="/my/security/2fa/start">
              <CsrfField token={p.csrf} />
              <button type="submit">Turn on two-factor authentication</button>
            </form>
          </>
        )}
      </section>

      <section aria-labelledby="devices">
        <h2 id="devices">Signed-in devices</h2>
        <table>
          <thead><tr><th>Device</th><th>IP address</th><th>First seen</th><th>Last active</th><th>Apps</th><th></th></tr></thead>
          <tbody>
            {p.devices.map((d) => (
              <tr key={d.id} class="device">
                <td>{d.browser} on {d.os}{d.current && <strong> (this device)</strong>}</td>
                <td>{d.ip ?? 'unknown'}</td>
                <td>{day(d.firstSeenAt)}</td>
                <td>{day(d.lastSeenAt)}</td>
                <td>{d.apps.join(', ') || '—'}</td>
                <td>{!d.current && (
                  <form method="post" action={`/my/security/devices/${encodeURIComponent(d.id)}/logout`}>
                    <CsrfField token={p.csrf} />
                    <button type="submit" class="secondary">Sign out</button>
                  </form>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.apps.length > 0 && <p>Apps that can still act for you: {p.apps.map((a) => a.name).join(', ')}.</p>}
        <form method="post" action="/my/security/devices/logout-others">
          <CsrfField token={p.csrf} />
          <button type="submit">Log out from all devices</button>
          <p class="hint">Signs out every device and app session except this one; databases are told right away.</p>
        </form>
      </section>

      <DeveloperModeSection enabled={p.developerMode ?? false} keys={s.apiKeys.total} expiringSoon={s.apiKeys.expiringWithin7Days} />

      <section aria-labelledby="delete">
        <h2 id="delete">Delete your account</h2>
        <p>Deleting your account is <strong>irreversible</strong>.</p>
        <a class="button danger" href="/my/security/delete">Delete my account…</a>
      </section>
    </Layout>,
  );
}

export function enrollmentPage(p: { account: Account; csrf: string; enrollment: Enrollment; error?: string; fields?: Record<string, string> }): string {
  return renderPage(
    <Layout title="Turn on two-factor authentication" user={p.account} active="security">
      <h1>Turn on two-factor authentication</h1>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section>
        <ol>
          <li>Scan this QR code with your authenticator app.
            <p><img src={p.enrollment.qrDataUrl} alt="QR code for your authenticator app" width={200} height={200} /></p>
          </li>
          <li>Or type this key: <code id="totp-secret">{p.enrollment.secret}</code> (time-based, 6 digits, 30 seconds).</li>
          <li>Enter the code the app shows to finish.</li>
        </ol>
        <form method="post" action="/my/security/2fa/confirm">
          <CsrfField token={p.csrf} />
          <Field name="code" label="Code from the app" autocomplete="one-time-code" inputmode="numeric" maxLength={10} error={p.fields?.code} />
          <div class="actions">
            <button type="submit">Turn on</button>
            <a href="/my/security">Cancel</a>
          </div>
        </form>
      </section>
    </Layout>,
  );
}

export function recoveryCodesPage(p: { account: Account; title: string; codes: string[] }): string {
  return renderPage(
    <Layout title={p.title} user={p.account} active="security">
      <h1>{p.title}</h1>
      <Notice kind="info">Save these recovery codes somewhere safe now: they are shown only once. Each works once, instead of a code from your app.</Notice>
      <ul id="recovery-codes" class="codes">{p.codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
      <p><a class="button" href="/my/security">Done</a></p>
    </Layout>,
  );
}

export function deletePage(p: { account: Account; csrf: string; blockers: string[]; error?: string; fields?: Record<string, string> }): string {
  return renderPage(
    <Layout title="Delete your account" user={p.account} active="security">
      <h1>Delete your account</h1>
      <Notice kind="error">This is irreversible. Your account, its sign-in methods, devices, API keys and database memberships are deleted and cannot be retrieved.</Notice>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.blockers.length > 0 ? (
        <p>You cannot delete your account while you are the only owner of these databases with other members: {p.blockers.join(', ')}.</p>
      ) : (
        <form method="post" action="/my/security/delete">
          <CsrfField token={p.csrf} />
          <Field name="confirm_email" label={`Type your email (${p.account.email}) to confirm`} type="email" autocomplete="off" error={p.fields?.confirm_email} />
          <div class="actions">
            <button type="submit" class="danger">Delete my account forever</button>
            <a href="/my/security">Cancel</a>
          </div>
        </form>
      )}
    </Layout>,
  );
}
