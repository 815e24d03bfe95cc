/** Loads one list from the background (databases, devices, API keys) with loading and error state. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { askBackground } from '../lib/background-client.ts';
import { type ErrorData, toErrorData } from '../lib/errors.ts';

type ListMessage = 'listDatabases' | 'listDevices' | 'listApiKeys';

export interface BackgroundList<T> {
  items: T[] | null;
  loading: boolean;
  error: ErrorData | null;
  reload(): Promise<void>;
}

export function useBackgroundList<K extends ListMessage>(type: K): BackgroundList<Awaited<ReturnType<typeof askBackground<K>>>[number]> {
  type Item = Awaited<ReturnType<typeof askBackground<K>>>[number];
  const [items, setItems] = useState<Item[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ErrorData | null>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await askBackground(type as ListMessage)) as Item[]);
    } catch (failure) {
      setError(toErrorData(failure));
    } finally {
      setLoading(false);
    }
  }, [type]);

  useEffect(() => void reload(), [reload]);
  return { items, loading, error, reload };
}
