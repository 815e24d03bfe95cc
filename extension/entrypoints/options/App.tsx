/**
 * Options: which Latchkey server (IdP) to use. Saving checks the address, asks the browser for the
 * host permission of exactly that origin, then asks the server for its OpenID configuration; only a
 * real IdP is saved. A permission granted for a server that turned out not to be one is given back.
 */
import { useEffect, useState } from 'preact/hooks';
import { EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';
import { Notice } from '../../components/notice.tsx';
import {
  grantedOriginPatterns,
  hasOriginPermission,
  identityRedirectUrl,
  patternFor,
  removeOriginPermission,
  requestOriginPermission,
} from '../../lib/browser-api.ts';
import { checkIdpServer, parseIdpUrl } from '../../lib/idp-check.ts';
import { DEFAULT_IDP_URL, idpUrlItem } from '../../lib/storage-items.ts';
import { NotificationOptions } from './notification-options.tsx';
import { t } from '../../lib/i18n/translator.ts';

type SaveResult = { kind: 'success' | 'error' | 'warning' | 'info'; message: string } | null;

export function OptionsApp() {
  const [url, setUrl] = useState('');
  const [granted, setGranted] = useState<boolean | null>(null);
  const [result, setResult] = useState<SaveResult>(null);
  const [busy, setBusy] = useState(false);
  // What was held before this page asked for anything, so a failed check gives back only its own grant.
  const [heldBefore, setHeldBefore] = useState<string[]>([]);

  useEffect(() => {
    void idpUrlItem.get().then(async (stored) => {
      setUrl(stored);
      setGranted(await hasOriginPermission(stored).catch(() => false));
    });
    void grantedOriginPatterns().then(setHeldBefore, () => undefined);
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    const parsed = parseIdpUrl(url);
    if (!parsed.ok) {
      setResult({ kind: 'error', message: parsed.message });
      return;
    }
    const { issuer } = parsed;
    // Requested straight from the submit gesture (nothing awaited before it), for this one origin only.
    const allowed = await requestOriginPermission(issuer).catch(() => false);
    if (!allowed) {
      setResult({ kind: 'error', message: t('Latchkey needs your permission to connect to {{origin}}. Nothing was saved.', { origin: new URL(issuer).origin }) });
      return;
    }
    setBusy(true);
    setResult({ kind: 'info', message: t('Checking {{issuer}}…', { issuer }) });
    const check = await checkIdpServer(issuer);
    setBusy(false);
    if (!check.ok) {
      if (!heldBefore.includes(patternFor(issuer))) await removeOriginPermission(issuer);
      setResult({ kind: 'error', message: `${check.message} ${t('Nothing was saved.')}` });
      return;
    }
    await idpUrlItem.set(issuer);
    setUrl(issuer);
    setGranted(true);
    setHeldBefore(await grantedOriginPatterns().catch(() => heldBefore));
    setResult({ kind: 'success', message: t('Saved. Latchkey will sign in at {{issuer}}.', { issuer }) });
  };

  return (
    <main class="options-page">
      <h1>{t('Latchkey options')}</h1>
      <form onSubmit={save} noValidate aria-describedby="idp-url-help">
        <label for="idp-url">{t('Latchkey server (IdP) URL')}</label>
        <input
          id="idp-url"
          type="url"
          required
          value={url}
          placeholder={DEFAULT_IDP_URL}
          onInput={(e) => setUrl(e.currentTarget.value)}
          aria-describedby="idp-url-help"
          aria-invalid={result?.kind === 'error'}
        />
        <p id="idp-url-help" class="muted">
          {t('For example')} <code>https://login.example.com</code>. {t('Default:')} <code>{DEFAULT_IDP_URL}</code>.
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {t('Save')}
        </button>
      </form>
      <div id="save-result">{result && <Notice kind={result.kind}>{result.message}</Notice>}</div>
      {granted === false && !result && <Notice kind="warning">{t('Latchkey may not connect to this server yet: press Save to allow it.')}</Notice>}
      <NotificationOptions />
      <h2>{t('For administrators')}</h2>
      <p>{t('Register this OAuth client on the IdP:')}</p>
      <dl>
        <dt>{t('Client ID')}</dt>
        <dd>
          <code>{EXTENSION_CLIENT_ID}</code>
        </dd>
        <dt>{t('Redirect URI')}</dt>
        <dd>
          <code>{identityRedirectUrl()}</code>
        </dd>
      </dl>
    </main>
  );
}
