/**
 * The open store transaction of the current async context (AsyncLocalStorage), shared by both engines:
 * repositories never pass a transaction handle, the store finds it here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

export interface TxContext {
  /** The store that opened the transaction (a query on another store must not join it). */
  owner: object;
  /** PostgreSQL: the pooled client holding the transaction, cleared when it ends. */
  client?: pg.PoolClient;
}

export const transactionContext = new AsyncLocalStorage<TxContext>();

/** Runs `fn` outside any store transaction (for work scheduled now but done later, e.g. group commits). */
export function outsideTransaction<T>(fn: () => T): T {
  return transactionContext.exit(fn);
}
