import { useState } from 'preact/hooks';
import type { DatabaseSummary } from '../../shared/account-api.ts';

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
        <span>Search databases</span>
        <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} placeholder="Name, URL or login" />
      </label>
      <p class="visually-hidden" role="status" aria-live="polite">
        {shown.length} of {props.databases.length} databases shown
      </p>
      {props.databases.length === 0 && <p class="muted">You have no databases yet.</p>}
      {props.databases.length > 0 && shown.length === 0 && <p class="muted">No database matches “{query}”.</p>}
      <ul class="rows" aria-label="Databases">
        {shown.map((db) => (
          <li key={db.id} class="row">
            <div class="row-main">
              <strong>{db.name}</strong>
              <span class="muted">
                {db.role}
                {db.status === 'invited' ? ' · invited' : ''} · signs in as <code>{db.login}</code>
              </span>
            </div>
            <button type="button" onClick={() => props.onOpen(db)} aria-label={`Open ${db.name}`}>
              Open
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
