/**
 * The popup's view of the account: the cached status from storage first (instant), then the
 * background's state, then a network refresh. Offline or failing refreshes keep the cached data.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { askBackground } from '../lib/background-client.ts';
import { type ErrorData, toErrorData } from '../lib/errors.ts';
import type { PopupState } from '../lib/messages.ts';
import { cachedStatusItem, type CachedStatus } from '../lib/storage-items.ts';

/** Where the status on screen came from: storage (saved by an earlier refresh) or this popup's refresh. */
export type StatusSource = 'cache' | 'network';

export interface AccountState {
  state: PopupState | null;
  cached: CachedStatus | null;
  source: StatusSource | null;
  refreshing: boolean;
  error: ErrorData | null;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

/** `initialCached`: the saved status, read before the first render (see popup/main.tsx). */
export function useAccountState(initialCached: CachedStatus | null = null): AccountState {
  const [state, setState] = useState<PopupState | null>(null);
  const [cached, setCachedValue] = useState<CachedStatus | null>(initialCached);
  const [source, setSource] = useState<StatusSource | null>(initialCached ? 'cache' : null);
  const setCached = useCallback((value: CachedStatus | null, from: StatusSource) => {
    setCachedValue(value);
    setSource(value ? from : null);
  }, []);
  const [refreshing, setRefreshing] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  const refresh = useCallback(async () => {
    setRefreshing(true);
    setError(null);
    try {
      setCached(await askBackground('refreshStatus'), 'network');
    } catch (failure) {
      const data = toErrorData(failure);
      setError(data);
      if (data.code === 'signed_out') setState(await askBackground('getState'));
    } finally {
      setRefreshing(false);
    }
  }, [setCached]);

  useEffect(() => {
    let open = true;
    // Storage first: it answers before the background (a stopped service worker must start first).
    let shown = initialCached !== null;
    if (!shown) {
      void cachedStatusItem.get().then((value) => {
        if (open && value && !shown) {
          shown = true;
          setCached(value, 'cache');
        }
      });
    }
    void askBackground('getState')
      .then((next) => {
        if (!open) return;
        setState(next);
        if (!shown || !next.cached) setCached(next.cached, 'cache');
        shown = true;
        if (next.signedIn && next.hasPermission) void refresh();
      })
      .catch((failure: unknown) => open && setError(toErrorData(failure)));
    // A refresh by the background (this popup's or the alarm's) writes storage: that is network data.
    const unwatch = cachedStatusItem.watch((value) => setCached(value, 'network'));
    return () => {
      open = false;
      unwatch();
    };
    // initialCached is only the first value; later ones come from the watch and refreshes.
  }, [refresh, setCached]);

  const signOut = useCallback(async () => {
    setState(await askBackground('signOut'));
    setCached(null, 'cache');
  }, [setCached]);

  return { state, cached, source, refreshing, error, refresh, signOut };
}
