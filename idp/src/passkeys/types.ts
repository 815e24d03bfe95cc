/** Passkeys (WebAuthn discoverable credentials) of an account, and the challenges that precede their use. */

/** At most this many passkeys per account. */
export const MAX_PASSKEYS = 20;
/** A challenge is good for this long, and once. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;

export interface Passkey {
  id: string;
  accountId: string;
  /** base64url credential id, as the authenticator names it. */
  credentialId: string;
  /** base64url COSE public key. */
  publicKey: string;
  signCount: number;
  transports: string[];
  /** Backup eligible: a synced passkey (a password manager, iCloud Keychain...), not bound to one device. */
  backupEligible: boolean;
  backupState: boolean;
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * What a challenge is for, and what it is bound to: `register` and `reauth` to the portal session (its
 * uid), `sign_in` to the sign-in interaction (its uid).
 */
export type ChallengePurpose = 'register' | 'sign_in' | 'reauth';

export interface ChallengeBinding {
  purpose: ChallengePurpose;
  /** Portal session uid or interaction uid. */
  binding: string;
  /** The account a register/reauth challenge was issued to; none for a discoverable sign-in. */
  accountId?: string;
}
