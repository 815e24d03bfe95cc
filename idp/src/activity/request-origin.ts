/**
 * Where the current request comes from (IP, User-Agent, and the OIDC client of a sign-in), for the
 * security log: set once per request at the HTTP edge (app.ts), read by the audit repository, so every
 * event a person causes carries the device and IP it came from without each service passing them.
 *
 * Invariant: it only ever describes the request being served. The audit repository applies it to an
 * event only when the event's actor is the account itself or an anonymous attempt against it (a failed
 * sign-in), never to what one person does to another's account (an owner removing a member must not put
 * the owner's IP in the member's activity).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
  /** The database or app the request acts through (a sign-in interaction's client). */
  clientId?: string;
}

const storage = new AsyncLocalStorage<RequestOrigin>();

export function withRequestOrigin<T>(origin: RequestOrigin, fn: () => T): T {
  return storage.run({ ...origin, userAgent: origin.userAgent?.slice(0, 512) || undefined }, fn);
}

export function currentRequestOrigin(): RequestOrigin | undefined {
  return storage.getStore();
}

/** Names the client the current request acts through (called once the interaction is known). */
export function noteRequestClient(clientId: unknown): void {
  const origin = storage.getStore();
  if (origin && typeof clientId === 'string' && clientId.length <= 200) origin.clientId = clientId;
}
