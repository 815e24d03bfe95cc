/**
 * The Activity tab's data: the newest page of the account's activity, then older pages appended one
 * "Show older" at a time with the previous page's cursor. `feed` is undefined while the first page
 * loads and null when the IdP has no activity route.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ActivityEntry } from '../../shared/account-api.ts';
import { askBackground } from '../lib/background-client.ts';
import { type ErrorData, toErrorData } from '../lib/errors.ts';

export interface ActivityFeedState {
  feed: { entries: ActivityEntry[]; nextCursor: string | null } | null | undefined;
  error: ErrorData | null;
  olderError: ErrorData | null;
  loadingOlder: boolean;
  reload(): Promise<void>;
  showOlder(): Promise<void>;
}

export function useActivityFeed(): ActivityFeedState {
  const [feed, setFeed] = useState<ActivityFeedState['feed']>(undefined);
  const [error, setError] = useState<ErrorData | null>(null);
  const [olderError, setOlderError] = useState<ErrorData | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const reload = useCallback(async () => {
    setError(null);
    setOlderError(null);
    try {
      setFeed(await askBackground('listActivity', { cursor: null }));
    } catch (failure) {
      setError(toErrorData(failure));
    }
  }, []);

  const showOlder = async () => {
    const cursor = feed?.nextCursor;
    if (!cursor || loadingOlder) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await askBackground('listActivity', { cursor });
      // Pages are by id, so they do not overlap; the filter only guards against a server that repeats one.
      setFeed((shown) => {
        const seen = new Set(shown?.entries.map((entry) => entry.id));
        return { entries: [...(shown?.entries ?? []), ...(page?.entries ?? []).filter((entry) => !seen.has(entry.id))], nextCursor: page?.nextCursor ?? null };
      });
    } catch (failure) {
      setOlderError(toErrorData(failure));
    } finally {
      setLoadingOlder(false);
    }
  };

  useEffect(() => void reload(), [reload]);
  return { feed, error, olderError, loadingOlder, reload, showOlder };
}
