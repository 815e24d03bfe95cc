/**
 * The activity pages: security events, lockdown confirmation and result, remembered devices, connected
 * apps. Each takes the request's translation (`ctx.state.t`); times are in the account's time zone.
 */
import type { ComponentChildren } from 'preact';
import type { ActivityEntry, TrustedDeviceSummary } from '../../../../shared/account-api.ts';
import type { ConnectedApp } from '../../security/session-service.ts';
import type { Account } from '../../accounts/types.ts';
import { formatTime } from '../../i18n/dates.ts';
import { msg, translateText, type Translate } from '../../i18n/translator.ts';
import { ButtonForm, Layout, Notice, PostForm, renderPage, Rich } from '../../ui/render.tsx';

export function activityPage(p: { t: Translate; account: Account; entries: ActivityEntry[]; nextCursor: string | null; first: boolean }): string {
  const { t } = p;
  const tz = p.account.timezone;
  return renderPage(
    <Layout t={t} title={t('Recent security activity')} user={p.account} active="security">
      <h1>{t('Recent security activity')}</h1>
      <p>{t('Sign-ins, failed attempts, changes to your password, email, two-factor authentication and API keys, your databases, and what support did on your account, for the last 90 days. Times are in your time zone ({{tz}}).', { tz })}</p>
      <p><Rich t={t} key_="If you see something you did not do, choose {{wasntMe}}: it signs everyone out (you too), revokes your API keys and locks sign-in until you reset your password from the mail we send."
        parts={{ wasntMe: <strong>{t("This wasn't me")}</strong> }} /></p>
      {p.entries.length === 0 ? <Notice kind="info">{p.first ? t('Nothing happened on your account in the last 90 days.') : t('No older activity.')}</Notice> : (
        <table>
          <thead><tr><th>{t('When')}</th><th>{t('What')}</th><th>{t('Device')}</th><th>{t('IP address')}</th><th>{t('Database or app')}</th><th></th></tr></thead>
          <tbody>
            {p.entries.map((e) => (
              <tr key={e.id} class="activity" data-kind={e.kind}>
                <td><time datetime={e.at}>{formatTime(t, e.at, tz)}</time></td>
                <td>{e.detail}</td>
                <td>{e.device ?? '—'}</td>
                <td>{e.ip ?? '—'}</td>
                <td>{e.app ?? '—'}</td>
                <td><a href={`/my/security/lockdown?entry=${encodeURIComponent(e.id)}`}>{t("This wasn't me")}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="actions">
        {!p.first && <a href="/my/security/activity">{t('Newest')}</a>}
        {p.nextCursor && <a href={`/my/security/activity?cursor=${encodeURIComponent(p.nextCursor)}`}>{t('Older')}</a>}
        <a href="/my/security">{t('Back to Connection & Security')}</a>
      </p>
    </Layout>,
  );
}

/** "(time, IP address …, device)" of a reported entry, in the page's language. */
function reportedEntry(t: Translate, entry: ActivityEntry, tz: string): string {
  const details = [formatTime(t, entry.at, tz), entry.ip ? t('IP address {{ip}}', { ip: entry.ip }) : '', entry.device ?? ''].filter(Boolean).join(', ');
  return t('You reported: {{what}} ({{details}}).', { what: entry.detail, details });
}

export function lockdownConfirmPage(p: { t: Translate; account?: Account; csrf: string; action: string; token?: string; entry?: ActivityEntry; tz?: string }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Secure my account')} user={p.account} active={p.account ? 'security' : undefined}>
      <h1>{t('Secure my account')}</h1>
      {p.entry && <Notice kind="info">{reportedEntry(t, p.entry, p.tz ?? 'UTC')}</Notice>}
      <p>{t('This will at once:')}</p>
      <ul>
        <li>{t('sign out every device and app, this one included, and tell your databases;')}</li>
        <li>{t('revoke every API key of your account;')}</li>
        <li>{t('forget every device remembered for two-factor authentication;')}</li>
        <li>{t('refuse every sign-in until you choose a new password from the link we mail to you.')}</li>
      </ul>
      <PostForm action={p.action} csrf={p.csrf}>
        {p.token && <input type="hidden" name="token" value={p.token} />}
        <div class="actions">
          <button type="submit" class="danger">{t('Secure my account')}</button>
          {p.account && <a href="/my/security/activity">{t('Cancel')}</a>}
        </div>
      </PostForm>
    </Layout>,
  );
}

export function lockdownDonePage(p: { t: Translate; email: string }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Your account is secured')}>
      <h1>{t('Your account is secured')}</h1>
      <Notice kind="success">{t('Every device was signed out, every API key revoked, and sign-in is locked.')}</Notice>
      <p><Rich t={t} key_="We sent a link to {{email}} to choose a new password; signing in works again once you have. If you cannot find the mail, {{askAgain}}."
        parts={{ email: p.email, askAgain: <a href="/password/forgot">{t('ask for a new link')}</a> }} /></p>
    </Layout>,
  );
}

/** The page a spent, expired or unknown "this wasn't me" link answers (410). */
export function lockdownLinkExpiredPage(p: { t: Translate }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Link expired')}>
      <h1>{t('This link has expired')}</h1>
      <Notice kind="error"><Rich t={t} key_={msg('This link is invalid, was already used, or has expired. To secure your account, {{reset}}, or sign in and use "This wasn\'t me" on the security activity page.')}
        parts={{ reset: <a href="/password/forgot">{t('reset your password')}</a> }} /></Notice>
    </Layout>,
  );
}

/**
 * A list under Connection & Security (remembered devices, connected apps): its heading, the notice of
 * what was just done, what the list is, the list or `empty` when there is nothing in it, the way back.
 */
function SecurityListPage(p: { t: Translate; account: Account; title: string; done?: string; intro: string; empty: string; children?: ComponentChildren }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={p.title} user={p.account} active="security">
      <h1>{p.title}</h1>
      {p.done && <Notice kind="success">{p.done}</Notice>}
      <p>{p.intro}</p>
      {p.children ?? <Notice kind="info">{p.empty}</Notice>}
      <p><a href="/my/security">{t('Back to Connection & Security')}</a></p>
    </Layout>,
  );
}

export function trustedDevicesPage(p: { t: Translate; account: Account; csrf: string; devices: TrustedDeviceSummary[]; done?: string }): string {
  const { t } = p;
  const tz = p.account.timezone;
  return SecurityListPage({
    t, account: p.account, title: t('Remembered devices'),
    done: p.done === 'revoked' ? t('That device will be asked for a code at its next sign-in.') : undefined,
    intro: t('Devices where you chose "remember this device" when entering a two-factor code. They skip the code until they expire.'),
    empty: t('No device is remembered.'),
    children: p.devices.length === 0 ? undefined : (
      <>
        <table>
          <thead><tr><th>{t('Browser')}</th><th>{t('System')}</th><th>{t('IP address')}</th><th>{t('Added')}</th><th>{t('Last used')}</th><th>{t('Expires')}</th><th></th></tr></thead>
          <tbody>
            {p.devices.map((d) => (
              <tr key={d.id} class="trusted-device">
                <td>{translateText(t, d.browser)}</td>
                <td>{translateText(t, d.os)}</td>
                <td>{d.ip ?? t('unknown')}</td>
                <td>{formatTime(t, d.addedAt, tz)}</td>
                <td>{d.lastUsedAt ? formatTime(t, d.lastUsedAt, tz) : t('never')}</td>
                <td>{formatTime(t, d.expiresAt, tz)}</td>
                <td>
                  <ButtonForm action={`/my/security/trusted-devices/${encodeURIComponent(d.id)}/revoke`} csrf={p.csrf} kind="secondary">{t('Forget')}</ButtonForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ButtonForm action="/my/security/2fa/forget-devices" csrf={p.csrf} kind="secondary">{t('Forget all of them')}</ButtonForm>
      </>
    ),
  });
}

export function connectedAppsPage(p: { t: Translate; account: Account; csrf: string; apps: ConnectedApp[]; done?: string }): string {
  const { t } = p;
  const tz = p.account.timezone;
  return SecurityListPage({
    t, account: p.account, title: t('Connected databases and apps'),
    done: p.done === 'signed-out' ? t('Signed out of that database or app: its access was revoked and it was told.') : undefined,
    intro: t('Databases and apps you signed in to that still hold access to your account. Signing out of one revokes its access and tokens and tells it to end its session; you stay signed in here and elsewhere.'),
    empty: t('No database or app holds access to your account.'),
    children: p.apps.length === 0 ? undefined : (
      <table>
        <thead><tr><th>{t('Database or app')}</th><th>{t('Last used')}</th><th>{t('Works while you are away')}</th><th></th></tr></thead>
        <tbody>
          {p.apps.map((a) => (
            <tr key={a.clientId} class="connected-app">
              <td>{a.name}</td>
              <td>{a.lastUsedAt ? formatTime(t, a.lastUsedAt, tz) : t('unknown')}</td>
              <td>{a.offlineAccess ? t('yes') : t('no')}</td>
              <td>
                <ButtonForm action={`/my/security/apps/${encodeURIComponent(a.clientId)}/sign-out`} csrf={p.csrf} kind="secondary">{t('Sign out of this database')}</ButtonForm>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    ),
  });
}
