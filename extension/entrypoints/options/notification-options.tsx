/** The three notification switches; each change is stored at once (no Save button to forget). */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_NOTIFICATION_PREFS, notificationPrefsItem, type NotificationPrefs } from '../../lib/storage-items.ts';
import { msg, type PlainKey, t } from '../../lib/i18n/translator.ts';

const SWITCHES: { key: keyof NotificationPrefs; label: PlainKey; hint: PlainKey }[] = [
  { key: 'newDevice', label: msg('A new device signs in to my account'), hint: msg('Checked every 15 minutes.') },
  { key: 'expiringKey', label: msg('An API key expires within 7 days'), hint: msg('Once per key.') },
  { key: 'twoFactorOff', label: msg('Two-factor authentication is turned off'), hint: msg('Once, when it happens.') },
];

export function NotificationOptions() {
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);
  useEffect(() => void notificationPrefsItem.get().then(setPrefs, () => setPrefs(DEFAULT_NOTIFICATION_PREFS)), []);
  const toggle = (key: keyof NotificationPrefs, value: boolean) => {
    const next = { ...(prefs ?? DEFAULT_NOTIFICATION_PREFS), [key]: value };
    setPrefs(next);
    void notificationPrefsItem.set(next);
  };
  return (
    <fieldset class="switches" disabled={!prefs}>
      <legend>{t('Notify me when')}</legend>
      {SWITCHES.map((item) => (
        <div key={item.key} class="switch">
          <input id={`notify-${item.key}`} type="checkbox" checked={prefs?.[item.key] ?? true} onChange={(e) => toggle(item.key, e.currentTarget.checked)} aria-describedby={`notify-${item.key}-hint`} />
          <label for={`notify-${item.key}`}>{t(item.label)}</label>
          <span id={`notify-${item.key}-hint`} class="muted">
            {' '}
            {t(item.hint)}
          </span>
        </div>
      ))}
    </fieldset>
  );
}
