/**
 * The popup. Shows the cached status at once, refreshes in the background, and switches to the
 * signed-out view when there is no session. All data comes from the background through hooks.
 */
import { useState } from 'preact/hooks';
import { ErrorNotice, Loading, Notice } from '../../components/notice.tsx';
import { SecurityStatusView } from '../../components/security-status.tsx';
import { SignedOut } from '../../components/signed-out.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAccountState } from '../../hooks/use-account-state.ts';
import { useOnline } from '../../hooks/use-online.ts';
import { askBackground } from '../../lib/background-client.ts';
import { openOptionsPage, openTab, requestOriginPermission } from '../../lib/browser-api.ts';
import { type ErrorData, toErrorData } from '../../lib/errors.ts';
import { portalUrl } from '../../lib/safe-url.ts';
import { ApiKeysPanel, DatabasesPanel, DevicesPanel } from './panels.tsx';

type TabId = 'security' | 'databases' | 'devices' | 'keys';
const TABS: { id: TabId; label: string }[] = [
  { id: 'security', label: 'Security' },
  { id: 'databases', label: 'Databases' },
  { id: 'devices', label: 'Devices' },
  { id: 'keys', label: 'API keys' },
];

export function App() {
  const account = useAccountState();
  const online = useOnline();
  const [tab, setTab] = useState<TabId>('security');
  const [signingIn, setSigningIn] = useState(false);
  const [signInError, setSignInError] = useState<ErrorData | null>(null);
  const { state, cached } = account;

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
      setSignInError(error instanceof Error && error.message === 'permission' ? { code: 'permission_missing', message: 'Latchkey needs permission to connect to your server.' } : toErrorData(error));
      setSigningIn(false);
    }
  };
  const openPortal = (href: string) => {
    const url = state && portalUrl(state.issuer, href);
    if (url) void openTab(url);
  };

  if (!state && !cached) return account.error ? <ErrorNotice error={account.error} /> : <Loading label="Loading…" />;
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
            {account.refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
          <button type="button" class="link" onClick={() => void account.signOut()}>
            Sign out
          </button>
        </span>
      </header>
      {!online && <Notice kind="warning">You are offline{cached ? '; showing the status saved earlier' : ''}.</Notice>}
      {online && account.error && <ErrorNotice error={account.error} onRetry={() => void account.refresh()} />}
      <Tabs label="Account sections" tabs={TABS} selected={tab} onSelect={setTab}>
        {tab === 'security' &&
          (cached ? <SecurityStatusView status={cached.status} fetchedAt={cached.fetchedAt} onOpenPortal={openPortal} /> : <Loading label="Loading your security status…" />)}
        {tab === 'databases' && <DatabasesPanel />}
        {tab === 'devices' && <DevicesPanel />}
        {tab === 'keys' && <ApiKeysPanel />}
      </Tabs>
    </>
  );
}
