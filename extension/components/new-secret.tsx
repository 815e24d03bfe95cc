import { useEffect, useRef, useState } from 'preact/hooks';

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
      <h2 id="secret-title">New secret for {props.keyName}</h2>
      <p>Copy it now: it will not be shown again.</p>
      <label class="visually-hidden" for="new-secret">
        New secret
      </label>
      <input id="new-secret" ref={field} readOnly value={props.secret} class="secret-value" />
      <button type="button" onClick={copy}>
        Copy
      </button>{' '}
      <button type="button" onClick={props.onDone}>
        Done
      </button>
      <p role="status" aria-live="polite" class="muted">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copy failed: select the text and copy it yourself.' : ''}
      </p>
    </section>
  );
}
