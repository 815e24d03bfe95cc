/** Presentational pieces of the API keys pages. */
import type { VNode } from 'preact';
import { Choices, controlAria, CsrfField, Field, Notice, Select } from '../../ui/render.tsx';
import { API_KEY_DURATIONS, MAX_LIVE_KEYS_PER_ACCOUNT, type ApiKey } from '../types.ts';

export const API_KEYS_PATH = '/my/security/api-keys';

export const when = (s: number | null) => (s === null ? 'Never' : `${new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`);

/** The small section on Connection & Security that leads to developer mode and API keys. */
export function DeveloperModeSection({ enabled, keys, expiringSoon = 0 }: { enabled: boolean; keys: number; expiringSoon?: number }): VNode {
  return (
    <section aria-labelledby="api-keys">
      <h2 id="api-keys">Developer mode and API keys</h2>
      <p>{enabled ? `Developer mode is on. You have ${keys} API key(s)${expiringSoon ? `, ${expiringSoon} expiring within 7 days` : ''}.` : 'Developer mode is off.'}</p>
      <p class="hint">Turn on developer mode to add API keys for scripts and programmatic access to your databases.</p>
      <p><a href={API_KEYS_PATH}>{enabled ? 'Manage API keys' : 'Developer mode and API keys'}</a></p>
    </section>
  );
}

/** The secret of a new or rotated key, shown exactly once. */
export function SecretOnce({ secret, what }: { secret: string; what: string }): VNode {
  return (
    <section aria-labelledby="new-secret" class="card">
      <h2 id="new-secret">{what}</h2>
      <Notice kind="success">Copy this key now: it is shown only once and cannot be shown again.</Notice>
      <p><code id="api-key-secret">{secret}</code></p>
      <p><button type="button" class="secondary" data-copy="api-key-secret" hidden>Copy key</button></p>
      <p class="hint">Send it as <code>Authorization: Bearer &lt;key&gt;</code>. Keep it in a secret store, never in code.</p>
      <script src="/static/api-key-copy.js" defer />
    </section>
  );
}

export interface CreateFormProps {
  csrfToken: string;
  databases: { id: string; name: string }[];
  values?: Record<string, unknown>;
  fields?: Record<string, string>;
  liveCount: number;
}

export function CreateKeyForm({ csrfToken, databases, values = {}, fields = {}, liveCount }: CreateFormProps): VNode {
  const chosen = new Set(Object.keys(values).filter((k) => k.startsWith('db:')).map((k) => k.slice(3)));
  const access = values.database_access === 'some' ? 'some' : 'all';
  const scope = values.scope === 'read-write' ? 'read-write' : 'read';
  const duration = typeof values.duration === 'string' && values.duration in API_KEY_DURATIONS ? values.duration : '3m';
  const databasesError = fields.databases ?? fields.database_access;
  const scopeAria = controlAria('scope', { error: fields.scope });
  const databasesAria = controlAria('databases', { error: databasesError });
  if (liveCount >= MAX_LIVE_KEYS_PER_ACCOUNT) {
    return <section aria-labelledby="add-key"><h2 id="add-key">Add an API key</h2><p>You have {MAX_LIVE_KEYS_PER_ACCOUNT} keys, the most an account can have. Revoke one to add another.</p></section>;
  }
  return (
    <section aria-labelledby="add-key">
      <h2 id="add-key">Add an API key</h2>
      <form method="post" action={`${API_KEYS_PATH}/new`}>
        <CsrfField token={csrfToken} />
        <Field name="description" label="Description" value={typeof values.description === 'string' ? values.description : ''} error={fields.description} maxLength={100} hint="What the key is for, e.g. nightly export." />
        <Select name="duration" label="Expires after" options={Object.entries(API_KEY_DURATIONS).map(([value, d]) => [value, d.label] as const)} value={duration} error={fields.duration} />
        <Choices name="scope" legend="Access" error={fields.scope}>
          <label><input type="radio" name="scope" value="read" checked={scope === 'read'} {...scopeAria} /> Read: only look at data</label>
          <label><input type="radio" name="scope" value="read-write" checked={scope === 'read-write'} {...scopeAria} /> Read-write: look at and change data</label>
        </Choices>
        <Choices name="databases" legend="Databases" error={databasesError}>
          <label><input type="radio" name="database_access" value="all" checked={access === 'all'} {...databasesAria} /> Every database of my account</label>
          <label><input type="radio" name="database_access" value="some" checked={access === 'some'} {...databasesAria} /> Only these:</label>
          {databases.length === 0 && <p class="hint">You are not a member of any database yet.</p>}
          {databases.map((d) => (
            <label><input type="checkbox" name={`db:${d.id}`} value="on" checked={chosen.has(d.id)} {...databasesAria} /> {d.name}</label>
          ))}
        </Choices>
        <p class="hint">You will be asked for your password if you did not sign in within the last 10 minutes.</p>
        <button type="submit">Add key</button>
      </form>
    </section>
  );
}

export function KeyList({ keys, csrfToken, databaseNames }: { keys: ApiKey[]; csrfToken: string; databaseNames: Map<string, string> }): VNode {
  return (
    <section aria-labelledby="your-keys">
      <h2 id="your-keys">Your API keys</h2>
      {keys.length === 0 ? <p>You have no API keys.</p> : (
        <table>
          <thead><tr><th>Description</th><th>Key</th><th>Access</th><th>Databases</th><th>Created</th><th>Expires</th><th>Last used</th><th>Actions</th></tr></thead>
          <tbody>
            {keys.map((k) => (
              <tr>
                <td>{k.description}</td>
                <td><code>{k.visibleId}</code></td>
                <td>{k.scope}</td>
                <td>{k.databases === null ? 'All' : k.databases.map((id) => databaseNames.get(id) ?? 'a database you left').join(', ')}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.expiresAt)}</td>
                <td>{k.lastUsedAt === null ? 'Never' : `${when(k.lastUsedAt)}${k.lastUsedIp ? ` from ${k.lastUsedIp}` : ''}`}</td>
                <td>
                  <form method="post" action={`${API_KEYS_PATH}/${k.id}/rotate`} class="actions">
                    <CsrfField token={csrfToken} />
                    <label for={`grace-${k.id}`} class="muted">Old secret works for</label>
                    <select id={`grace-${k.id}`} name="grace">
                      <option value="0">no time</option>
                      <option value="3600">1 hour</option>
                      <option value="86400">24 hours</option>
                    </select>
                    <button type="submit" class="secondary">Rotate</button>
                  </form>
                  <form method="post" action={`${API_KEYS_PATH}/${k.id}/revoke`}>
                    <CsrfField token={csrfToken} />
                    <button type="submit" class="danger">Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
