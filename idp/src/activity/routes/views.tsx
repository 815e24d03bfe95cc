/** The activity pages: security events, lockdown confirmation and result, remembered devices, connected apps. */
import type { ActivityEntry, TrustedDeviceSummary } from '../../../../shared/account-api.ts';
import type { ConnectedApp } from '../../security/session-service.ts';
import type { Account } from '../../accounts/types.ts';
import { CsrfField, Layout, Notice, renderPage } from '../../ui/render.tsx';

/** A time in the account's time zone, e.g. "2 Dec 2026, 07:40 (Europe/Brussels)"; UTC when the zone is unknown. */
export function inZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  for (const zone of [timeZone, 'UTC']) {
    try {
      return `${new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(date)} (${zone})`;
    } catch {
      // an unknown zone name: fall back to UTC
    }
  }
  return iso;
}

export function activityPage(p: { account: Account; entries: ActivityEntry[]; nextCursor: string | null; first: boolean }): string {
  const tz = p.account.timezone;
  return renderPage(
    <Layout title="Recent security activity" user={p.account} active="security">
      <h1>Recent security activity</h1>
      <p>Sign-ins, failed attempts, changes to your password, email, two-factor authentication and API keys, your databases, and what support did on your account, for the last 90 days. Times are in your time zone ({tz}).</p>
      <p>If you see something you did not do, choose <strong>This wasn't me</strong>: it signs everyone out (you too), revokes your API keys and locks sign-in until you reset your password from the mail we send.</p>
      {p.entries.length === 0 ? <Notice kind="info">{p.first ? 'Nothing happened on your account in the last 90 days.' : 'No older activity.'}</Notice> : (
        <table>
          <thead><tr><th>When</th><th>What</th><th>Device</th><th>IP address</th><th>Database or app</th><th></th></tr></thead>
          <tbody>
            {p.entries.map((e) => (
              <tr key={e.id} class="activity" data-kind={e.kind}>
                <td><time datetime={e.at}>{inZone(e.at, tz)}</time></td>
                <td>{e.detail}</td>
                <td>{e.device ?? '—'}</td>
                <td>{e.ip ?? '—'}</td>
                <td>{e.app ?? '—'}</td>
                <td><a href={`/my/security/lockdown?entry=${encodeURIComponent(e.id)}`}>This wasn't me</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="actions">
        {!p.first && <a href="/my/security/activity">Newest</a>}
        {p.nextCursor && <a href={`/my/security/activity?cursor=${encodeURIComponent(p.nextCursor)}`}>Older</a>}
        <a href="/my/security">Back to Connection &amp; Security</a>
      </p>
    </Layout>,
  );
}

export function lockdownConfirmPage(p: { account?: Account; csrf: string; action: string; token?: string; entry?: ActivityEntry; tz?: string }): string {
  return renderPage(
    <Layout title="Secure my account" user={p.account} active={p.account ? 'security' : undefined}>
      <h1>Secure my account</h1>
      {p.entry && <Notice kind="info">You reported: {p.entry.detail} ({inZone(p.entry.at, p.tz ?? 'UTC')}{p.entry.ip ? `, IP address ${p.entry.ip}` : ''}{p.entry.device ? `, ${p.entry.device}` : ''}).</Notice>}
      <p>This will at once:</p>
      <ul>
        <li>sign out every device and app, this one included, and tell your databases;</li>
        <li>revoke every API key of your account;</li>
        <li>forget every device remembered for two-factor authentication;</li>
        <li>refuse every sign-in until you choose a new password from the link we mail to you.</li>
      </ul>
      <form method="post" action={p.action}>
        <CsrfField token={p.csrf} />
        {p.token && <input type="hidden" name="token" value={p.token} />}
        <div class="actions">
          <button type="submit" class="danger">Secure my account</button>
          {p.account && <a href="/my/security/activity">Cancel</a>}
        </div>
      </form>
    </Layout>,
  );
}

export function lockdownDonePage(p: { email: string }): string {
  return renderPage(
    <Layout title="Your account is secured">
      <h1>Your account is secured</h1>
      <Notice kind="success">Every device was signed out, every API key revoked, and sign-in is locked.</Notice>
      <p>We sent a link to {p.email} to choose a new password; signing in works again once you have. If you cannot find the mail, <a href="/password/forgot">ask for a new link</a>.</p>
    </Layout>,
  );
}

export function trustedDevicesPage(p: { account: Account; csrf: string; devices: TrustedDeviceSummary[]; done?: string }): string {
  const tz = p.account.timezone;
  return renderPage(
    <Layout title="Remembered devices" user={p.account} active="security">
      <h1>Remembered devices</h1>
      {p.done === 'revoked' && <Notice kind="success">That device will be asked for a code at its next sign-in.</Notice>}
      <p>Devices where you chose "remember this device" when entering a two-factor code. They skip the code until they expire.</p>
      {p.devices.length === 0 ? <Notice kind="info">No device is remembered.</Notice> : (
        <>
          <table>
            <thead><tr><th>Browser</th><th>System</th><th>IP address</th><th>Added</th><th>Last used</th><th>Expires</th><th></th></tr></thead>
            <tbody>
              {p.devices.map((d) => (
                <tr key={d.id} class="trusted-device">
                  <td>{d.browser}</td>
                  <td>{d.os}</td>
                  <td>{d.ip ?? 'unknown'}</td>
                  <td>{inZone(d.addedAt, tz)}</td>
                  <td>{d.lastUsedAt ? inZone(d.lastUsedAt, tz) : 'never'}</td>
                  <td>{inZone(d.expiresAt, tz)}</td>
                  <td>
                    <form method="post" action={`/my/security/trusted-devices/${encodeURIComponent(d.id)}/revoke`}>
                      <CsrfField token={p.csrf} />
                      <button type="submit" class="secondary">Forget</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form method="post" action="/my/security/2fa/forget-devices">
            <CsrfField token={p.csrf} />
            <button type="submit" class="secondary">Forget all of them</button>
          </form>
        </>
      )}
      <p><a href="/my/security">Back to Connection &amp; Security</a></p>
    </Layout>,
  );
}

export function connectedAppsPage(p: { account: Account; csrf: string; apps: ConnectedApp[]; done?: string }): string {
  const tz = p.account.timezone;
  return renderPage(
    <Layout title="Connected databases and apps" user={p.account} active="security">
      <h1>Connected databases and apps</h1>
      {p.done === 'signed-out' && <Notice kind="success">Signed out of that database or app: its access was revoked and it was told.</Notice>}
      <p>Databases and apps you signed in to that still hold access to your account. Signing out of one revokes its access and tokens and tells it to end its session; you stay signed in here and elsewhere.</p>
      {p.apps.length === 0 ? <Notice kind="info">No database or app holds access to your account.</Notice> : (
        <table>
          <thead><tr><th>Database or app</th><th>Last used</th><th>Works while you are away</th><th></th></tr></thead>
          <tbody>
            {p.apps.map((a) => (
              <tr key={a.clientId} class="connected-app">
                <td>{a.name}</td>
                <td>{a.lastUsedAt ? inZone(a.lastUsedAt, tz) : 'unknown'}</td>
                <td>{a.offlineAccess ? 'yes' : 'no'}</td>
                <td>
                  <form method="post" action={`/my/security/apps/${encodeURIComponent(a.clientId)}/sign-out`}>
                    <CsrfField token={p.csrf} />
                    <button type="submit" class="secondary">Sign out of this database</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p><a href="/my/security">Back to Connection &amp; Security</a></p>
    </Layout>,
  );
}
