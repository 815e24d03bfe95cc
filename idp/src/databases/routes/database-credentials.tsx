/** The client credentials of a database, shown once after creation or after regenerating the secret. */
import type { VNode } from 'preact';
import type { Database } from '../types.ts';
import { Notice } from '../../ui/render.tsx';

export function DatabaseCredentials(p: { database: Database; clientId: string; clientSecret?: string; issuer: string }): VNode {
  return (
    <section aria-labelledby="credentials">
      <h2 id="credentials">Client credentials of {p.database.name}</h2>
      {p.clientSecret && <Notice kind="info">Copy the client secret now: it is shown only once. You can regenerate it later.</Notice>}
      <dl>
        <dt>Issuer</dt><dd><code>{p.issuer}</code></dd>
        <dt>Client ID</dt><dd><code id="client-id">{p.clientId}</code></dd>
        {p.clientSecret && <><dt>Client secret</dt><dd><code id="client-secret">{p.clientSecret}</code></dd></>}
        <dt>Redirect URI</dt><dd><code>{p.database.url}/callback</code></dd>
        <dt>Back-channel logout URI</dt><dd><code>{p.database.url}/backchannel-logout</code></dd>
        <dt>Client authentication</dt><dd><code>client_secret_basic</code></dd>
      </dl>
      <p><a class="button" href={`/my/databases/${p.database.id}`}>Manage {p.database.name}</a></p>
    </section>
  );
}
