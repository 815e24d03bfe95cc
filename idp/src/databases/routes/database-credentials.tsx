/**
 * The client credentials of a database, shown once after creation or after regenerating the secret.
 * `t` is the request's language; English when not given (a caller not translated yet).
 */
import type { VNode } from 'preact';
import type { Database } from '../types.ts';
import type { Translate } from '../../i18n/translator.ts';
import { Notice } from '../../ui/render.tsx';

export function DatabaseCredentials(p: { t: Translate; database: Database; clientId: string; clientSecret?: string; issuer: string }): VNode {
  const { t } = p;
  const name = { database: p.database.name };
  return (
    <section aria-labelledby="credentials">
      <h2 id="credentials">{t('Client credentials of {{database}}', name)}</h2>
      {p.clientSecret && <Notice kind="info">{t('Copy the client secret now: it is shown only once. You can regenerate it later.')}</Notice>}
      <dl>
        <dt>{t('Issuer')}</dt><dd><code>{p.issuer}</code></dd>
        <dt>{t('Client ID')}</dt><dd><code id="client-id">{p.clientId}</code></dd>
        {p.clientSecret && <><dt>{t('Client secret')}</dt><dd><code id="client-secret">{p.clientSecret}</code></dd></>}
        <dt>{t('Redirect URI')}</dt><dd><code>{`${p.database.url}/callback`}</code></dd>
        <dt>{t('Back-channel logout URI')}</dt><dd><code>{`${p.database.url}/backchannel-logout`}</code></dd>
        <dt>{t('Client authentication')}</dt><dd><code>{'client_secret_basic'}</code></dd>
      </dl>
      <p><a class="button" href={`/my/databases/${p.database.id}`}>{t('Manage {{database}}', name)}</a></p>
    </section>
  );
}
