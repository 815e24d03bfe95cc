import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiKeySummary, RotateApiKeyRequest } from '../../shared/account-api.ts';
import { formatDate, msg, type PlainKey, t } from '../lib/i18n/translator.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;
export const GRACE_OPTIONS: { value: RotateApiKeyRequest['graceSeconds']; label: PlainKey }[] = [
  { value: 0, label: msg('Stop the old secret now') },
  { value: 3600, label: msg('Keep the old secret for 1 hour') },
  { value: 86400, label: msg('Keep the old secret for 24 hours') },
];

/** API keys with their expiry; "Rotate" asks for a grace period first. */
export function ApiKeyList(props: {
  keys: ApiKeySummary[];
  busyKeyId: string | null;
  now: number;
  onRotate: (key: ApiKeySummary, graceSeconds: RotateApiKeyRequest['graceSeconds']) => void;
}) {
  const [rotating, setRotating] = useState<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  /** Back to the row's Rotate button once the form is gone, so keyboard users do not lose their place. */
  const cancel = (id: string) => {
    setRotating(null);
    requestAnimationFrame(() => list.current?.querySelector<HTMLButtonElement>(`button[data-rotate="${CSS.escape(id)}"]`)?.focus());
  };
  if (props.keys.length === 0) return <p class="muted">{t('No API keys.')}</p>;
  return (
    <ul class="rows" aria-label={t('API keys')} ref={list}>
      {props.keys.map((key) => {
        const expiresAt = new Date(key.expiresAt).getTime();
        const soon = expiresAt - props.now < WEEK_MS;
        return (
          <li key={key.id} class="row row-wrap">
            <div class="row-main">
              <strong>{key.description || key.visibleId}</strong>
              <span class="muted">
                <code>{key.visibleId}</code> · {key.scope}
                {key.databases ? ` · ${key.databases.join(', ')}` : ` · ${t('all databases')}`}
              </span>
              <span class={soon ? 'warn' : 'muted'}>
                {expiresAt < props.now ? t('Expired {{date}}', { date: formatDate(key.expiresAt) }) : t('Expires {{date}}', { date: formatDate(key.expiresAt) })}
                {soon && expiresAt >= props.now && ` ${t('(soon)')}`}
              </span>
            </div>
            {rotating === key.id ? (
              <RotateForm
                keyName={key.description || key.visibleId}
                busy={props.busyKeyId === key.id}
                onCancel={() => cancel(key.id)}
                onRotate={(grace) => {
                  setRotating(null);
                  props.onRotate(key, grace);
                }}
              />
            ) : (
              <button type="button" data-rotate={key.id} disabled={props.busyKeyId !== null} onClick={() => setRotating(key.id)} aria-label={t('Rotate {{name}}', { name: key.description || key.visibleId })}>
                {props.busyKeyId === key.id ? t('Rotating…') : t('Rotate')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function RotateForm(props: { keyName: string; busy: boolean; onCancel: () => void; onRotate: (grace: RotateApiKeyRequest['graceSeconds']) => void }) {
  const [grace, setGrace] = useState<RotateApiKeyRequest['graceSeconds']>(3600);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="rotate"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        // Escape closes the form, not the popup.
        event.preventDefault();
        event.stopPropagation();
        props.onCancel();
      }}
      onSubmit={(event) => {
        event.preventDefault();
        props.onRotate(grace);
      }}
    >
      <fieldset>
        <legend>{t('Rotate {{name}}', { name: props.keyName })}</legend>
        {GRACE_OPTIONS.map((option, index) => (
          <label key={option.value}>
            <input type="radio" name="grace" value={option.value} checked={grace === option.value} ref={index === 0 ? first : undefined} onChange={() => setGrace(option.value)} />
            {t(option.label)}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={props.busy}>
        {t('Rotate now')}
      </button>{' '}
      <button type="button" onClick={props.onCancel}>
        {t('Cancel')}
      </button>
    </form>
  );
}
