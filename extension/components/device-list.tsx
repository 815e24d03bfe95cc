import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DeviceSummary } from '../../shared/account-api.ts';
import { formatDateTime, t } from '../lib/i18n/translator.ts';

/** Signed-in devices and the "Log out other devices" action, guarded by a confirmation step. */
export function DeviceList(props: { devices: DeviceSummary[]; busy: boolean; onLogoutOthers: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const cancel = () => setConfirming(false);
  const others = props.devices.filter((device) => !device.current).length;
  // Focus moves into the confirmation when it opens and back to its button when it closes, right after
  // the DOM changes (a layout effect): an animation frame would never come in a page the browser hides.
  useLayoutEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (wasConfirming.current) trigger.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  return (
    <div>
      <ul class="rows" aria-label={t('Signed-in devices')}>
        {props.devices.map((device) => (
          <li key={device.id} class="row">
            <div class="row-main">
              <strong>
                {t('{{browser}} on {{os}}', { browser: device.browser, os: device.os })}
                {device.current && <span class="tag">{t('this device')}</span>}
              </strong>
              <span class="muted">
                {device.ip ?? t('unknown IP')} · {t('last seen {{when}}', { when: formatDateTime(device.lastSeenAt) })}
                {device.apps.length > 0 && ` · ${device.apps.join(', ')}`}
              </span>
            </div>
          </li>
        ))}
      </ul>
      {!confirming ? (
        <button type="button" class="danger" ref={trigger} disabled={others === 0 || props.busy} onClick={() => setConfirming(true)}>
          {t('Log out other devices')}
        </button>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: a question with two buttons, not a form's fieldset
        <div
          class="confirm"
          role="group"
          aria-labelledby="logout-question"
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            // Escape closes the confirmation, not the popup.
            event.preventDefault();
            event.stopPropagation();
            cancel();
          }}
        >
          <p id="logout-question">
            {t('Log out {{count}} other devices? They will have to sign in again.', { count: others })}
          </p>
          <button
            type="button"
            class="danger"
            ref={confirmButton}
            disabled={props.busy}
            onClick={() => {
              setConfirming(false);
              props.onLogoutOthers();
            }}
          >
            {t('Log out others')}
          </button>{' '}
          <button type="button" onClick={cancel}>
            {t('Cancel')}
          </button>
        </div>
      )}
    </div>
  );
}
