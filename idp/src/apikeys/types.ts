/**
 * Developer API keys: long-lived secrets a person creates for scripts, each bound to one account,
 * an expiry (there is no key without one), a scope and optionally a subset of the account's databases.
 *
 * Invariants: the secret is shown once and only its SHA-256 is stored; a key is looked up by its
 * visible id and its hash compared in constant time; every expiry decision uses the store clock
 * (`nowSeconds`). A rotated key keeps its id and visible id; the previous secret may live on for a
 * short grace period and never beyond the key's own expiry.
 */
import { msg } from '../i18n/translator.ts';

export type ApiKeyScope = 'read' | 'read-write';

export interface ApiKey {
  id: string;
  accountId: string;
  /** Short public identifier, also the first part of the secret, e.g. `lk_3f9a2c1d7b`. */
  visibleId: string;
  description: string;
  scope: ApiKeyScope;
  /** Database ids the key is limited to; null means every database of the account. */
  databases: string[] | null;
  secretHash: string;
  /** The secret before the last rotation, while its grace period lasts. */
  previousSecretHash: string | null;
  previousExpiresAt: number | null;
  createdAt: number;
  expiresAt: number;
  rotatedAt: number | null;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
}

/** How long a new key lives; the form and the API offer only these (labels are catalog keys, shown with `t`). */
export const API_KEY_DURATIONS = {
  '1d': { seconds: 24 * 3600, label: msg('1 day') },
  '1w': { seconds: 7 * 24 * 3600, label: msg('1 week') },
  '1m': { seconds: 30 * 24 * 3600, label: msg('1 month') },
  '3m': { seconds: 90 * 24 * 3600, label: msg('3 months') },
  '6m': { seconds: 182 * 24 * 3600, label: msg('6 months') },
  '1y': { seconds: 365 * 24 * 3600, label: msg('1 year') },
} as const;
export type ApiKeyDuration = keyof typeof API_KEY_DURATIONS;

/** How long the old secret keeps working after a rotation. */
export const ROTATION_GRACE_SECONDS = [0, 3600, 86400] as const;
export type RotationGrace = (typeof ROTATION_GRACE_SECONDS)[number];

export const MAX_LIVE_KEYS_PER_ACCOUNT = 20;
/** Last-used time and IP are written at most this often per key, so checking a key stays a read. */
export const LAST_USED_WRITE_INTERVAL_SECONDS = 60;

export interface NewApiKeyInput {
  description: string;
  duration: ApiKeyDuration;
  scope: ApiKeyScope;
  databases: string[] | null;
}

/**
 * What API keys need to know about databases and memberships, owned by the databases module. Kept
 * to this small interface so the key rules do not depend on how memberships are stored.
 */
export interface MembershipDirectory {
  /** The database registered as this OIDC client, if any. */
  databaseForClient(clientId: string): Promise<{ id: string; name: string } | undefined>;
  /** The active membership of an account on a database. */
  membership(databaseId: string, accountId: string): Promise<{ login: string; role: 'owner' | 'member' } | undefined>;
  /** Databases the account is an active member of, for the form and for checking a restriction. */
  databasesOf(accountId: string): Promise<{ id: string; name: string }[]>;
}

/** The answer to an introspection of a live API key (RFC 7662 members plus `login` and `role`). */
export interface ApiKeyIntrospection {
  active: true;
  sub: string;
  login: string;
  role: 'owner' | 'member';
  scope: ApiKeyScope;
  exp: number;
  iat: number;
  client_id: string;
  token_type: 'api_key';
  iss: string;
}
