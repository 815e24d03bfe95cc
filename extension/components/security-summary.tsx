/**
 * The popup's first view: one headline saying how the account stands, then the checklist, to-do
 * items first, each with why it matters and a link to the exact portal section.
 */
import type { ChecklistItem, SecuritySummary } from '../lib/security-summary.ts';
import { formatTime, t } from '../lib/i18n/translator.ts';

export function SecuritySummaryView(props: {
  summary: SecuritySummary;
  email: string;
  fetchedAt: number;
  /** Same-origin portal URL for a path, or null when the path is not safe to open. */
  portalHref: (path: string) => string | null;
  onOpenPortal: (path: string) => void;
}) {
  const { summary } = props;
  const todo = summary.items.filter((item) => item.state === 'todo');
  const done = summary.items.filter((item) => item.state === 'done');
  return (
    <div class="summary">
      <h2 id="summary-headline" class={`headline ${summary.todo ? 'headline-todo' : 'headline-ok'}`}>
        <span class="headline-icon" aria-hidden="true">
          {summary.todo ? '!' : '✓'}
        </span>
        {summary.headline}
      </h2>
      <p class="muted small">
        {props.email} · {t('checked')} <time dateTime={new Date(props.fetchedAt).toISOString()}>{formatTime(props.fetchedAt)}</time>
      </p>
      {todo.length > 0 && (
        <ol class="checklist" aria-label={t('To do')}>
          {todo.map((item) => (
            <Item key={item.id} item={item} href={props.portalHref(item.href)} onOpen={props.onOpenPortal} />
          ))}
        </ol>
      )}
      {done.length > 0 && (
        <>
          <h3 class="done-heading">{t('Checked and fine')}</h3>
          <ul class="checklist checklist-done" aria-label={t('Checked and fine')}>
            {done.map((item) => (
              <Item key={item.id} item={item} href={props.portalHref(item.href)} onOpen={props.onOpenPortal} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Item(props: { item: ChecklistItem; href: string | null; onOpen: (path: string) => void }) {
  const { item } = props;
  const todo = item.state === 'todo';
  return (
    <li class={`item item-${item.state}`} data-check={item.id}>
      <span class="item-icon" aria-hidden="true">
        {todo ? '!' : '✓'}
      </span>
      <div class="item-body">
        <strong class="item-title">{item.title}</strong>
        {todo && <p class="item-why">{item.why}</p>}
        {props.href && (
          <a
            class={todo ? 'item-action' : 'item-action muted-link'}
            href={props.href}
            target="_blank"
            rel="noreferrer"
            onClick={(event) => {
              // Through tabs.create, so the popup closes behind it in every browser.
              event.preventDefault();
              props.onOpen(item.href);
            }}
          >
            {item.action}
            <span class="visually-hidden"> {t('(opens the Latchkey portal)')}</span>
          </a>
        )}
      </div>
    </li>
  );
}
