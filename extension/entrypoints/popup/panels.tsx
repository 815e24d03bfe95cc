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
import { useBackgroundValue } from '../../hooks/use-background-value.ts';
import { askBackground } from '../../lib/background-client.ts';
import { openTab } from '../../lib/browser-api.ts';
import { type ErrorData, toErrorData } from '../../lib/errors.ts';
import { httpUrlOrNull } from '../../lib/safe-url.ts';
import { PORTAL } from '../../lib/security-summary.ts';

export function ActivityPanel(props: { portalHref: (path: string) => string | null; onOpenPortal: (path: string) => void }) {
  const feed = useBackgroundValue('listActivity');
  if (feed.error) return <ErrorNotice error={feed.error} onRetry={() => void feed.reload()} />;
  if (!feed.value) return <Loading label="Loading recent activity…" />;
  return (
    <ActivityList
      events={feed.value.events}
      fromDevices={feed.value.source === 'devices'}
      lockdownHref={props.portalHref(PORTAL.activity)}
      onLockdown={() => props.onOpenPortal(PORTAL.activity)}
    />
  );
}

export function DatabasesPanel() {
  const list = useBackgroundList('listDatabases');
  if (list.error) return <ErrorNotice error={list.error} onRetry={() => void list.reload()} />;
  if (!list.items) return <Loading label="Loading databases…" />;
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
  if (!list.items) return <Loading label="Loading devices…" />;
  return (
    <>
      <DeviceList devices={list.items} busy={busy} onLogoutOthers={() => void logoutOthers()} />
      {result?.ok === true && <Notice kind="success">Logged out {result.count} other device{result.count === 1 ? '' : 's'}.</Notice>}
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
  if (!list.items) return <Loading label="Loading API keys…" />;
  return (
    <>
      {error && <ErrorNotice error={error} />}
      <ApiKeyList keys={list.items} busyKeyId={busyKeyId} now={Date.now()} onRotate={(key, grace) => void rotate(key, grace)} />
    </>
  );
}
