import type { ComponentChildren } from 'preact';
import type { ErrorData } from '../lib/errors.ts';
import { t } from '../lib/i18n/translator.ts';

/** Inline status line: `alert` for errors (announced at once), `status` for everything else. */
export function Notice(props: { kind: 'error' | 'info' | 'success' | 'warning'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

export function ErrorNotice(props: { error: ErrorData; onRetry?: () => void }) {
  return (
    <Notice kind="error">
      {props.error.message}{' '}
      {props.onRetry && (
        <button type="button" class="link" onClick={props.onRetry}>
          {t('Try again')}
        </button>
      )}
    </Notice>
  );
}

export function Loading(props: { label: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      {props.label}
    </p>
  );
}
