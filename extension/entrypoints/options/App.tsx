/**
 * Options: which Latchkey server (IdP) to use. Saving asks the browser for the host permission of
 * exactly that origin; nothing else is ever requested.
 */
import { useEffect, useState } from 'preact/hooks';
import { EXTENSION_CLIENT_ID } from '../../../shared/account-api.ts';
import { Notice } from '../../components/notice.tsx';
import { hasOriginPermission, identityRedirectUrl, requestOriginPermission } from '../../lib/browser-api.ts';
import { ExtensionError } from '../../lib/errors.ts';
import { normaliseIssuer } from '../../lib/oidc-discovery.ts';
import { DEFAULT_IDP_URL, idpUrlItem } from '../../lib/storage-items.ts';

type SaveResult = { kind: 'success' | 'error' | 'warning'; message: string } | null;

export function OptionsApp() {
  const [url, setUrl] = useState('');
  const [granted, setGranted] = useState<boolean | null>(null);
  const [result, setResult] = useState<SaveResult>(null);

  useEffect(() => {
    void idpUrlItem.get().then(async (stored) => {
      setUrl(stored);
      setGranted(await hasOriginPermission(stored).catch(() => false));
    });
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    let issuer: string;
    try {
      issuer = normaliseIssuer(url.trim());
    } catch (error) {
      setResult({ kind: 'error', message: error instanceof ExtensionError ? error.message : 'That is not a valid URL.' });
      return;
    }
    // Requested straight from the submit gesture, for this one origin only.
    const allowed = await requestOriginPermission(issuer).catch(() => false);
    await idpUrlItem.set(issuer);
    setUrl(issuer);
    setGranted(allowed);
    setResult(
      allowed
        ? { kind: 'success', message: `Saved. Latchkey will sign in at ${issuer}.` }
        : { kind: 'warning', message: 'Saved, but without permission to connect to that server Latchkey cannot sign in.' },
    );
  };

  return (
    <div class="options-page">
      <h1>Latchkey options</h1>
      <form onSubmit={save}>
        <label for="idp-url">Latchkey server (IdP) URL</label>
        <input id="idp-url" type="url" required value={url} placeholder={DEFAULT_IDP_URL} onInput={(e) => setUrl(e.currentTarget.value)} aria-describedby="idp-url-help" />
        <p id="idp-url-help" class="muted">
          For example <code>https://login.example.com</code>. Default: <code>{DEFAULT_IDP_URL}</code>.
        </p>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
      {result && <Notice kind={result.kind}>{result.message}</Notice>}
      {granted === false && !result && <Notice kind="warning">Latchkey may not connect to this server yet: press Save to allow it.</Notice>}
      <h2>For administrators</h2>
      <p>Register this OAuth client on the IdP:</p>
      <dl>
        <dt>Client ID</dt>
        <dd>
          <code>{EXTENSION_CLIENT_ID}</code>
        </dd>
        <dt>Redirect URI</dt>
        <dd>
          <code>{identityRedirectUrl()}</code>
        </dd>
      </dl>
    </div>
  );
}
