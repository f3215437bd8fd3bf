export const ROLES = ['MEMBER', 'COACH', 'GYM_OWNER', 'ADMIN'] as const;

export type Role = (typeof ROLES)[number];

/** Who made a request, taken from a verified access token. */
export interface Principal {
  userId: string;
  role: Role;
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
