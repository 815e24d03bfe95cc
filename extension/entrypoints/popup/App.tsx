/**
 * The popup. Opens on the security summary (from the cached status at once, refreshed in the
 * background), with the other sections in tabs; switches to the signed-out view without a session.
 * All data comes from the background through hooks.
 */
import { useState } from 'preact/hooks';
import { ErrorNotice, Loading, Notice } from '../../components/notice.tsx';
import { SecuritySummaryView } from '../../components/security-summary.tsx';
import { SignedOut } from '../../components/signed-out.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAccountState } from '../../hooks/use-account-state.ts';
import { useOnline } from '../../hooks/use-online.ts';
import { usePaintMark } from '../../hooks/use-paint-mark.ts';
import { askBackground } from '../../lib/background-client.ts';
import { openOptionsPage, openTab, requestOriginPermission } from '../../lib/browser-api.ts';
import { type ErrorData, toErrorData } from '../../lib/errors.ts';
import { portalUrl } from '../../lib/safe-url.ts';
import type { CachedStatus } from '../../lib/storage-items.ts';
import { buildSecuritySummary } from '../../lib/security-summary.ts';
import { ActivityPanel, ApiKeysPanel, DatabasesPanel, DevicesPanel } from './panels.tsx';
import { msg, type PlainKey, t } from '../../lib/i18n/translator.ts';

type TabId = 'security' | 'activity' | 'databases' | 'devices' | 'keys';
const TABS: { id: TabId; label: PlainKey }[] = [
  { id: 'security', label: msg('Summary') },
  { id: 'activity', label: msg('Activity') },
  { id: 'databases', label: msg('Databases') },
  { id: 'devices', label: msg('Devices') },
  { id: 'keys', label: msg('API keys') },
];

export function App(props: { initialCached?: CachedStatus | null }) {
  const account = useAccountState(props.initialCached ?? null);
  const online = useOnline();
  const [tab, setTab] = useState<TabId>('security');
  const [signingIn, setSigningIn] = useState(false);
  const [signInError, setSignInError] = useState<ErrorData | null>(null);
  const { state, cached } = account;
  usePaintMark(cached ? account.source : null);

  const signIn = async () => {
    if (!state) return;
    setSigningIn(true);
    setSignInError(null);
    try {
      // permissions.request needs the click's user gesture, so it comes before anything else awaits.
      if (!state.hasPermission && !(await requestOriginPermission(state.issuer))) {
        throw new Error('permission');
      }
      await askBackground('signIn');
      location.reload();
    } catch (error) {
      setSignInError(error instanceof Error && error.message === 'permission' ? { code: 'permission_missing', message: t('Latchkey needs permission to connect to your server.') } : toErrorData(error));
      setSigningIn(false);
    }
  };
  const issuer = state?.issuer ?? cached?.issuer ?? null;
  const portalHref = (path: string) => (issuer ? portalUrl(issuer, path) : null);
  const openPortal = (path: string) => {
    const url = portalHref(path);
    if (url) void openTab(url);
  };

  if (!state && !cached) return account.error ? <ErrorNotice error={account.error} /> : <Loading label={t('Loading…')} />;
  if (state && !state.signedIn) {
    return (
      <>
        <SignedOut issuer={state.issuer} hasPermission={state.hasPermission} busy={signingIn} onSignIn={signIn} onOptions={() => void openOptionsPage()} />
        {signInError && <ErrorNotice error={signInError} />}
      </>
    );
  }

  return (
    <>
      <header class="header">
        <h1>Latchkey</h1>
        <span class="header-actions">
          <button type="button" class="link" onClick={() => void account.refresh()} disabled={account.refreshing} aria-busy={account.refreshing}>
            {account.refreshing ? t('Refreshing…') : t('Refresh')}
          </button>
          <button type="button" class="link" onClick={() => void account.signOut()}>
            {t('Sign out')}
          </button>
        </span>
      </header>
      {!online && <Notice kind="warning">{cached ? t('You are offline; showing the status saved earlier.') : t('You are offline.')}</Notice>}
      {online && account.error && <ErrorNotice error={account.error} onRetry={() => void account.refresh()} />}
      <Tabs label={t('Account sections')} tabs={TABS.map((tab) => ({ id: tab.id, label: t(tab.label) }))} selected={tab} onSelect={setTab}>
        {tab === 'security' &&
          (cached ? (
            <SecuritySummaryView
              summary={buildSecuritySummary(cached.status, cached.devices ?? null, Date.now())}
              email={cached.status.email}
              fetchedAt={cached.fetchedAt}
              portalHref={portalHref}
              onOpenPortal={openPortal}
            />
          ) : (
            <Loading label={t('Loading your security summary…')} />
          ))}
        {tab === 'activity' && <ActivityPanel portalHref={portalHref} onOpenPortal={openPortal} />}
        {tab === 'databases' && <DatabasesPanel />}
        {tab === 'devices' && <DevicesPanel />}
        {tab === 'keys' && <ApiKeysPanel />}
      </Tabs>
    </>
  );
}
