/** Presentational pieces of the API keys pages. Every piece takes the request's translation `t` (`ctx.state.t`). */
import type { VNode } from 'preact';
import { formatTime } from '../../i18n/dates.ts';
import { msg, type PlainKey, type Translate } from '../../i18n/translator.ts';
import { ButtonForm, Choices, controlAria, CsrfField, Field, Notice, PostForm, Rich, Select } from '../../ui/render.tsx';
import { API_KEY_DURATIONS, MAX_LIVE_KEYS_PER_ACCOUNT, type ApiKey, type ApiKeyScope } from '../types.ts';

export const API_KEYS_PATH = '/my/security/api-keys';

/** A key's time in the account's zone and the page's language; "Never" for none. */
export const when = (t: Translate, s: number | null, timeZone?: string) => (s === null ? t('Never') : formatTime(t, s, timeZone));

const scopeNames: Record<ApiKeyScope, PlainKey> = { read: msg('read'), 'read-write': msg('read-write') };

/** The small section on Connection & Security that leads to developer mode and API keys. */
export function DeveloperModeSection({ t, enabled, keys, expiringSoon = 0 }: { t: Translate; enabled: boolean; keys: number; expiringSoon?: number }): VNode {
  const status = !enabled
    ? t('Developer mode is off.')
    : expiringSoon
      ? t('Developer mode is on. You have {{count}} API key(s), {{expiring}} expiring within 7 days.', { count: keys, expiring: expiringSoon })
      : t('Developer mode is on. You have {{count}} API key(s).', { count: keys });
  return (
    <section aria-labelledby="api-keys">
      <h2 id="api-keys">{t('Developer mode and API keys')}</h2>
      <p>{status}</p>
      <p class="hint">{t('Turn on developer mode to add API keys for scripts and programmatic access to your databases.')}</p>
      <p><a href={API_KEYS_PATH}>{enabled ? t('Manage API keys') : t('Developer mode and API keys')}</a></p>
    </section>
  );
}

/**
 * The secret of a new or rotated key, shown exactly once; `what` is already translated. The copy
 * button's words after a click come from its data- attributes (/static/api-key-copy.js).
 */
export function SecretOnce({ t, secret, what }: { t: Translate; secret: string; what: string }): VNode {
  return (
    <section aria-labelledby="new-secret" class="card">
      <h2 id="new-secret">{what}</h2>
      <Notice kind="success">{t('Copy this key now: it is shown only once and cannot be shown again.')}</Notice>
      <p><code id="api-key-secret">{secret}</code></p>
      <p><button type="button" class="secondary" data-copy="api-key-secret" data-copied={t('Copied')} data-copy-failed={t('Copy failed: select the key and copy it')} hidden>{t('Copy key')}</button></p>
      <p class="hint"><Rich t={t} key_="Send it as {{header}}. Keep it in a secret store, never in code." parts={{ header: <code>{'Authorization: Bearer <key>'}</code> }} /></p>
      <script src="/static/api-key-copy.js" defer />
    </section>
  );
}

export interface CreateFormProps {
  t: Translate;
  csrfToken: string;
  databases: { id: string; name: string }[];
  values?: Record<string, unknown>;
  fields?: Record<string, string>;
  liveCount: number;
}

export function CreateKeyForm({ t, csrfToken, databases, values = {}, fields = {}, liveCount }: CreateFormProps): VNode {
  const chosen = new Set(Object.keys(values).filter((k) => k.startsWith('db:')).map((k) => k.slice(3)));
  const access = values.database_access === 'some' ? 'some' : 'all';
  const scope = values.scope === 'read-write' ? 'read-write' : 'read';
  const duration = typeof values.duration === 'string' && values.duration in API_KEY_DURATIONS ? values.duration : '3m';
  const databasesError = fields.databases ?? fields.database_access;
  const scopeAria = controlAria('scope', { error: fields.scope });
  const databasesAria = controlAria('databases', { error: databasesError });
  if (liveCount >= MAX_LIVE_KEYS_PER_ACCOUNT) {
    return <section aria-labelledby="add-key"><h2 id="add-key">{t('Add an API key')}</h2><p>{t('You have {{max}} keys, the most an account can have. Revoke one to add another.', { max: MAX_LIVE_KEYS_PER_ACCOUNT })}</p></section>;
  }
  return (
    <section aria-labelledby="add-key">
      <h2 id="add-key">{t('Add an API key')}</h2>
      <PostForm action={`${API_KEYS_PATH}/new`} csrf={csrfToken}>
        <Field name="description" label={t('Description')} value={typeof values.description === 'string' ? values.description : ''} error={fields.description} maxLength={100} hint={t('What the key is for, e.g. nightly export.')} />
        <Select name="duration" label={t('Expires after')} options={Object.entries(API_KEY_DURATIONS).map(([value, d]) => [value, t(d.label)] as const)} value={duration} error={fields.duration} />
        <Choices name="scope" legend={t('Access')} error={fields.scope}>
          <label><input type="radio" name="scope" value="read" checked={scope === 'read'} {...scopeAria} /> {t('Read: only look at data')}</label>
          <label><input type="radio" name="scope" value="read-write" checked={scope === 'read-write'} {...scopeAria} /> {t('Read-write: look at and change data')}</label>
        </Choices>
        <Choices name="databases" legend={t('Databases')} error={databasesError}>
          <label><input type="radio" name="database_access" value="all" checked={access === 'all'} {...databasesAria} /> {t('Every database of my account')}</label>
          <label><input type="radio" name="database_access" value="some" checked={access === 'some'} {...databasesAria} /> {t('Only these:')}</label>
          {databases.length === 0 && <p class="hint">{t('You are not a member of any database yet.')}</p>}
          {databases.map((d) => (
            <label><input type="checkbox" name={`db:${d.id}`} value="on" checked={chosen.has(d.id)} {...databasesAria} /> {d.name}</label>
          ))}
        </Choices>
        <p class="hint">{t('You will be asked for your password if you did not sign in within the last 10 minutes.')}</p>
        <button type="submit">{t('Add key')}</button>
      </PostForm>
    </section>
  );
}

/** `timeZone`: the account's, for the key's times. */
export function KeyList({ t, keys, csrfToken, databaseNames, timeZone }: { t: Translate; keys: ApiKey[]; csrfToken: string; databaseNames: Map<string, string>; timeZone?: string }): VNode {
  const at = (s: number | null) => when(t, s, timeZone);
  return (
    <section aria-labelledby="your-keys">
      <h2 id="your-keys">{t('Your API keys')}</h2>
      {keys.length === 0 ? <p>{t('You have no API keys.')}</p> : (
        <table>
          <thead><tr><th>{t('Description')}</th><th>{t('Key')}</th><th>{t('Access')}</th><th>{t('Databases')}</th><th>{t('Created')}</th><th>{t('Expires')}</th><th>{t('Last used')}</th><th>{t('Actions')}</th></tr></thead>
          <tbody>
            {keys.map((k) => (
              <tr>
                <td>{k.description}</td>
                <td><code>{k.visibleId}</code></td>
                <td>{t(scopeNames[k.scope])}</td>
                <td>{k.databases === null ? t('All') : k.databases.map((id) => databaseNames.get(id) ?? t('a database you left')).join(', ')}</td>
                <td>{at(k.createdAt)}</td>
                <td>{at(k.expiresAt)}</td>
                <td>{k.lastUsedAt === null ? t('Never') : k.lastUsedIp ? t('{{when}} from {{ip}}', { when: at(k.lastUsedAt), ip: k.lastUsedIp }) : at(k.lastUsedAt)}</td>
                <td>
                  <form method="post" action={`${API_KEYS_PATH}/${k.id}/rotate`} class="actions">
                    <CsrfField token={csrfToken} />
                    <label for={`grace-${k.id}`} class="muted">{t('Old secret works for')}</label>
                    <select id={`grace-${k.id}`} name="grace">
                      <option value="0">{t('no time')}</option>
                      <option value="3600">{t('1 hour')}</option>
                      <option value="86400">{t('24 hours')}</option>
                    </select>
                    <button type="submit" class="secondary">{t('Rotate')}</button>
                  </form>
                  <ButtonForm action={`${API_KEYS_PATH}/${k.id}/revoke`} csrf={csrfToken} kind="danger">{t('Revoke')}</ButtonForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
