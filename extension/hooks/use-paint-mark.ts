/**
 * Marks, once per popup, the frame in which the status was first painted (`performance.mark`
 * `latchkey:status-painted:cache|network`), so the browser suites can print the time to first paint
 * of the status from a cached state and from the network. Costs one requestAnimationFrame.
 */
import { useEffect } from 'preact/hooks';
import type { StatusSource } from './use-account-state.ts';

export const STATUS_PAINT_MARK = 'latchkey:status-painted';
let marked = false;

export function usePaintMark(source: StatusSource | null): void {
  useEffect(() => {
    if (!source || marked) return;
    marked = true;
    // The callback runs just before the frame that shows the committed DOM is painted.
    requestAnimationFrame(() => performance.mark(`${STATUS_PAINT_MARK}:${source}`));
  }, [source]);
}
