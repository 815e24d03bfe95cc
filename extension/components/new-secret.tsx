import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../lib/i18n/translator.ts';

/** The rotated key's new secret, shown once, with a copy button. */
export function NewSecret(props: { keyName: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.select(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title">{t('New secret for {{name}}', { name: props.keyName })}</h2>
      <p>{t('Copy it now: it will not be shown again.')}</p>
      <label class="visually-hidden" for="new-secret">
        {t('New secret')}
      </label>
      <input id="new-secret" ref={field} readOnly value={props.secret} class="secret-value" />
      <button type="button" onClick={copy}>
        {t('Copy')}
      </button>{' '}
      <button type="button" onClick={props.onDone}>
        {t('Done')}
      </button>
      <p role="status" aria-live="polite" class="muted">
        {copied === 'yes' ? t('Copied to the clipboard.') : copied === 'failed' ? t('Copy failed: select the text and copy it yourself.') : ''}
      </p>
    </section>
  );
}
