/**
 * The popup's view of the account: the cached status from storage first (instant), then the
 * background's state, then a network refresh. Offline or failing refreshes keep the cached data.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { askBackground } from '../lib/background-client.ts';
import { type ErrorData, toErrorData } from '../lib/errors.ts';
import type { PopupState } from '../lib/messages.ts';
import { cachedStatusItem, type CachedStatus } from '../lib/storage-items.ts';

export interface AccountState {
  state: PopupState | null;
  cached: CachedStatus | null;
  refreshing: boolean;
  error: ErrorData | null;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

export function useAccountState(): AccountState {
  const [state, setState] = useState<PopupState | null>(null);
  const [cached, setCached] = useState<CachedStatus | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  const refresh = useCallback(async () => {
    setRefreshing(true);
    setError(null);
    try {
      setCached(await askBackground('refreshStatus'));
    } catch (failure) {
      const data = toErrorData(failure);
      setError(data);
      if (data.code === 'signed_out') setState(await askBackground('getState'));
    } finally {
      setRefreshing(false);
    }
  }, []);

  useEffect(() => {
    let open = true;
    void cachedStatusItem.get().then((value) => open && setCached((current) => current ?? value));
    void askBackground('getState')
      .then((next) => {
        if (!open) return;
        setState(next);
        setCached(next.cached);
        if (next.signedIn && next.hasPermission) void refresh();
      })
      .catch((failure: unknown) => open && setError(toErrorData(failure)));
    const unwatch = cachedStatusItem.watch((value) => setCached(value));
    return () => {
      open = false;
      unwatch();
    };
  }, [refresh]);

  const signOut = useCallback(async () => {
    setState(await askBackground('signOut'));
    setCached(null);
  }, []);

  return { state, cached, refreshing, error, refresh, signOut };
}
