import { useState } from 'preact/hooks';
import type { DatabaseSummary } from '../../shared/account-api.ts';
import { t } from '../lib/i18n/translator.ts';

/** Searchable list of databases; "Open" starts single sign-on in a new tab. */
export function DatabaseList(props: { databases: DatabaseSummary[]; onOpen: (database: DatabaseSummary) => void }) {
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const shown = needle
    ? props.databases.filter((db) => [db.name, db.url, db.login, db.role].some((field) => field.toLowerCase().includes(needle)))
    : props.databases;
  return (
    <div>
      <label class="search">
        <span>{t('Search databases')}</span>
        <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} placeholder={t('Name, URL or login')} />
      </label>
      <p class="visually-hidden" role="status" aria-live="polite">
        {t('{{shown}} of {{total}} databases shown', { shown: shown.length, total: props.databases.length })}
      </p>
      {props.databases.length === 0 && <p class="muted">{t('You have no databases yet.')}</p>}
      {props.databases.length > 0 && shown.length === 0 && <p class="muted">{t('No database matches “{{query}}”.', { query })}</p>}
      <ul class="rows" aria-label={t('Databases')}>
        {shown.map((db) => (
          <li key={db.id} class="row">
            <div class="row-main">
              <strong>{db.name}</strong>
              <span class="muted">
                {db.role}
                {db.status === 'invited' ? ` · ${t('invited')}` : ''} · {t('signs in as')} <code>{db.login}</code>
              </span>
            </div>
            <button type="button" onClick={() => props.onOpen(db)} aria-label={t('Open {{name}}', { name: db.name })}>
              {t('Open')}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
