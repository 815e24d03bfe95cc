/** Databases (registered OpenID Connect clients with an owner) and the memberships that let people sign in to them. */
export type Role = 'owner' | 'member';
export type MembershipStatus = 'invited' | 'active';

export interface Database {
  id: string;
  name: string;
  url: string;
  clientId: string;
  ownerId: string;
  createdAt: number;
}

export interface Membership {
  id: string;
  databaseId: string;
  /** NULL while the invitation is pending. */
  accountId: string | null;
  /** The sign-in login on this database: fixed at creation, changed only by support. */
  login: string;
  role: Role;
  status: MembershipStatus;
  invitedBy: string | null;
  inviteExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt';

export interface NewDatabaseInput {
  name: string;
  url: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Required with private_key_jwt. */
  jwksUri?: string;
  /** ES256 unless the database needs another (see client-metadata.ts). */
  idTokenSignedResponseAlg?: 'ES256' | 'RS256' | 'EdDSA';
  /** Seconds; shorter than the default refresh token lifetime. */
  refreshTokenTtl?: number;
}

/** Who performs an action: an account (portal), the operator (CLI) or a database app (its API). */
/** An operator (support) always says why (`idp ... --reason`); the reason is shown to the person. */
export type Actor = { kind: 'account'; accountId: string } | { kind: 'operator'; reason?: string } | { kind: 'database'; clientId: string };

export function actorLabel(actor: Actor): string {
  return actor.kind === 'account' ? actor.accountId : actor.kind === 'operator' ? 'operator' : `client:${actor.clientId}`;
}
