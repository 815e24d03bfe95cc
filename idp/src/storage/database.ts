/**
 * Time for every timestamp column, and the store type repositories receive (see store.ts: SQLite by
 * default, PostgreSQL when IDP_DATABASE_URL is set).
 */
export type { Store as Db } from './store.ts';

/** Seconds since the epoch: the unit of every timestamp column. */
export function nowSeconds(): number {
  return Math.floor(clock.now() / 1000);
}

/** A clock tests can move (expiry, re-authentication windows). */
export const clock = {
  offsetMs: 0,
  now(): number {
    return Date.now() + this.offsetMs;
  },
};
