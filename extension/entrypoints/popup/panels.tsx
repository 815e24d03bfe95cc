/** The list tabs: each wires one hook to one presentational component, with its loading and error state. */
import { useState } from 'preact/hooks';
import type { ApiKeySummary, RotateApiKeyResponse } from '../../../shared/account-api.ts';
import { ActivityList } from '../../components/activity-list.tsx';
import { ApiKeyList } from '../../components/api-key-list.tsx';
import { DatabaseList } from '../../components/database-list.tsx';
import { DeviceList } from '../../components/device-list.tsx';
import { NewSecret } from '../../components/new-secret.tsx';
import { ErrorNotice, Loading, Notice } from '../../components/notice.tsx';
import { useBackgroundList } from '../../hooks/use-background-list.ts';
import { useActivityFeed } from '../../hooks/use-activity-feed.ts';
import { lockdownPathOf } from '../../lib/activity.ts';
import { askBackground } from '../../lib/background-client.ts';
import { openTab } from '../../lib/browser-api.ts';
import { type ErrorData, toErrorData } from '../../lib/errors.ts';
import { httpUrlOrNull } from '../../lib/safe-url.ts';
import { t } from '../../lib/i18n/translator.ts';

export function ActivityPanel(props: { portalHref: (path: string) => string | null; onOpenPortal: (path: string) => void }) {
  const activity = useActivityFeed();
  if (activity.error) return <ErrorNotice error={activity.error} onRetry={() => void activity.reload()} />;
  if (activity.feed === undefined) return <Loading label={t('Loading recent activity…')} />;
  if (activity.feed === null) {
    return <p class="muted">{t('This Latchkey server does not keep a security activity log yet. The Devices tab lists where you are signed in.')}</p>;
  }
  return (
    <>
      <ActivityList
        entries={activity.feed.entries}
        hasOlder={activity.feed.nextCursor !== null}
        loadingOlder={activity.loadingOlder}
        onShowOlder={() => void activity.showOlder()}
        lockdownHref={(entry) => props.portalHref(lockdownPathOf(entry))}
        onLockdown={(entry) => props.onOpenPortal(lockdownPathOf(entry))}
      />
      {activity.olderError && <ErrorNotice error={activity.olderError} onRetry={() => void activity.showOlder()} />}
    </>
  );
}

export function DatabasesPanel() {
  const list = useBackgroundList('listDatabases');
  if (list.error) return <ErrorNotice error={list.error} onRetry={() => void list.reload()} />;
  if (!list.items) return <Loading label={t('Loading databases…')} />;
  return (
    <DatabaseList
      databases={list.items}
      onOpen={(db) => {
        const url = httpUrlOrNull(db.openUrl);
        if (url) void openTab(url);
      }}
    />
  );
}

export function DevicesPanel() {
  const list = useBackgroundList('listDevices');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; count: number } | { ok: false; error: ErrorData } | null>(null);
  const logoutOthers = async () => {
    setBusy(true);
    try {
      const { loggedOut } = await askBackground('logoutOtherDevices');
      setResult({ ok: true, count: loggedOut });
      await list.reload();
    } catch (error) {
      setResult({ ok: false, error: toErrorData(error) });
    } finally {
      setBusy(false);
    }
  };
  if (list.error) return <ErrorNotice error={list.error} onRetry={() => void list.reload()} />;
  if (!list.items) return <Loading label={t('Loading devices…')} />;
  return (
    <>
      <DeviceList devices={list.items} busy={busy} onLogoutOthers={() => void logoutOthers()} />
      {result?.ok === true && <Notice kind="success">{t('Logged out {{count}} other devices.', { count: result.count })}</Notice>}
      {result?.ok === false && <ErrorNotice error={result.error} />}
    </>
  );
}

export function ApiKeysPanel() {
  const list = useBackgroundList('listApiKeys');
  const [busyKeyId, setBusyKeyId] = useState<string | null>(null);
  const [rotated, setRotated] = useState<RotateApiKeyResponse | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const rotate = async (key: ApiKeySummary, graceSeconds: 0 | 3600 | 86400) => {
    setBusyKeyId(key.id);
    setError(null);
    try {
      setRotated(await askBackground('rotateApiKey', { id: key.id, graceSeconds }));
      await list.reload();
    } catch (failure) {
      setError(toErrorData(failure));
    } finally {
      setBusyKeyId(null);
    }
  };
  if (rotated) return <NewSecret keyName={rotated.key.description || rotated.key.visibleId} secret={rotated.secret} onDone={() => setRotated(null)} />;
  if (list.error) return <ErrorNotice error={list.error} onRetry={() => void list.reload()} />;
  if (!list.items) return <Loading label={t('Loading API keys…')} />;
  return (
    <>
      {error && <ErrorNotice error={error} />}
      <ApiKeyList keys={list.items} busyKeyId={busyKeyId} now={Date.now()} onRotate={(key, grace) => void rotate(key, grace)} />
    </>
  );
}
