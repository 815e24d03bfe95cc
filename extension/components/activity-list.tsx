/**
 * The account's security activity, newest first (`ActivityEntry` from the account API): what happened,
 * from which device and app, when and from which IP. Every entry offers "This wasn't me" (the portal's
 * lockdown page for that entry); "Show older" appends the next page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ActivityEntry } from '../../shared/account-api.ts';
import { isFailedAttempt } from '../lib/activity.ts';
import { formatDateTime, t } from '../lib/i18n/translator.ts';

export function ActivityList(props: {
  entries: ActivityEntry[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onShowOlder: () => void;
  lockdownHref: (entry: ActivityEntry) => string | null;
  onLockdown: (entry: ActivityEntry) => void;
}) {
  const list = useRef<HTMLUListElement>(null);
  // After "Show older", the focus goes to the first entry it added (the button may be gone).
  const [focusFrom, setFocusFrom] = useState<number | null>(null);
  useEffect(() => {
    if (focusFrom === null || props.loadingOlder) return;
    (list.current?.children[focusFrom] as HTMLElement | undefined)?.focus();
    setFocusFrom(null);
  }, [focusFrom, props.loadingOlder, props.entries.length]);

  if (props.entries.length === 0) return <p class="muted">{t('No recent activity.')}</p>;
  return (
    <div>
      <ul class="rows" aria-label={t('Recent activity')} ref={list}>
        {props.entries.map((entry) => {
          const href = props.lockdownHref(entry);
          return (
            <li key={entry.id} class="row row-wrap" tabIndex={-1} data-entry={entry.id}>
              <div class="row-main">
                <strong>
                  {entry.detail}
                  {isFailedAttempt(entry) && <span class="tag tag-warn">{t('failed')}</span>}
                </strong>
                <span class="muted">
                  {entry.device ?? t('Unknown device')}
                  {entry.app && ` · ${entry.app}`}
                </span>
                <span class="muted">
                  <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> · {entry.ip ?? t('unknown IP')}
                </span>
              </div>
              {href && (
                <a
                  class="danger-link"
                  href={href}
                  target="_blank"
                  rel="noreferrer"
                  onClick={(e) => {
                    e.preventDefault();
                    props.onLockdown(entry);
                  }}
                >
                  {t("This wasn't me")}
                  <span class="visually-hidden">{t(': {{detail}} {{when}}', { detail: entry.detail, when: formatDateTime(entry.at) })}</span>
                </a>
              )}
            </li>
          );
        })}
      </ul>
      {props.hasOlder && (
        <button
          type="button"
          class="more"
          disabled={props.loadingOlder}
          aria-busy={props.loadingOlder}
          onClick={() => {
            setFocusFrom(props.entries.length);
            props.onShowOlder();
          }}
        >
          {props.loadingOlder ? t('Loading older activity…') : t('Show older')}
        </button>
      )}
    </div>
  );
}
