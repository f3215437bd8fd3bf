export const ROLES = ['MEMBER', 'COACH', 'GYM_OWNER', 'ADMIN'] as const;

export type Role = (typeof ROLES)[number];

/** Who made a request, taken from a verified access token. */
export interface Principal {
  userId: string;
  role: Role;
  /**
   * When the token was issued, in ms since the epoch (its `iat_ms` claim, else `iat`): revocation
   * compares it with the user's "tokens valid from" instant.
   */
  issuedAt?: number;
}

/** The claims FitNexa puts in an access token (a JWT). */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  iss: string;
  aud: string | string[];
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** Issue time, in seconds since the epoch. */
  iat: number;
  /** Issue time in milliseconds: `iat` alone cannot order a token and a revocation of the same second. */
  iat_ms?: number;
  jti?: string;
}

export interface UserProfile {
  id: string;
  /** Null when the viewer may not see it (only the user themselves and admins may). */
  email: string | null;
  displayName: string;
  role: Role;
  /** ISO-8601 date-time in UTC. */
  createdAt: string;
}
