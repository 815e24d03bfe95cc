/** Loads one answer from the background (e.g. the activity feed) with loading and error state. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { askBackground } from '../lib/background-client.ts';
import { type ErrorData, toErrorData } from '../lib/errors.ts';
import type { MessageType, RequestOf, ResponseOf } from '../lib/messages.ts';

type NoPayloadMessage = { [K in MessageType]: RequestOf<K> extends null ? K : never }[MessageType];

export interface BackgroundValue<T> {
  value: T | null;
  error: ErrorData | null;
  reload(): Promise<void>;
}

export function useBackgroundValue<K extends NoPayloadMessage>(type: K): BackgroundValue<ResponseOf<K>> {
  const [value, setValue] = useState<ResponseOf<K> | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const reload = useCallback(async () => {
    setError(null);
    try {
      setValue(await (askBackground as (t: K) => Promise<ResponseOf<K>>)(type));
    } catch (failure) {
      setError(toErrorData(failure));
    }
  }, [type]);
  useEffect(() => void reload(), [reload]);
  return { value, error, reload };
}
