/** The three notification switches; each change is stored at once (no Save button to forget). */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_NOTIFICATION_PREFS, notificationPrefsItem, type NotificationPrefs } from '../../lib/storage-items.ts';

const SWITCHES: { key: keyof NotificationPrefs; label: string; hint: string }[] = [
  { key: 'newDevice', label: 'A new device signs in to my account', hint: 'Checked every 15 minutes.' },
  { key: 'expiringKey', label: 'An API key expires within 7 days', hint: 'Once per key.' },
  { key: 'twoFactorOff', label: 'Two-factor authentication is turned off', hint: 'Once, when it happens.' },
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
      <legend>Notify me when</legend>
      {SWITCHES.map((item) => (
        <div key={item.key} class="switch">
          <input id={`notify-${item.key}`} type="checkbox" checked={prefs?.[item.key] ?? true} onChange={(e) => toggle(item.key, e.currentTarget.checked)} aria-describedby={`notify-${item.key}-hint`} />
          <label for={`notify-${item.key}`}>{item.label}</label>
          <span id={`notify-${item.key}-hint`} class="muted">
            {' '}
            {item.hint}
          </span>
        </div>
      ))}
    </fieldset>
  );
}
