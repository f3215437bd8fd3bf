import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthenticationError, ForbiddenError } from '../errors';
import { ROLES, type Principal, type Role } from '../types';

export const ACCESS_TOKEN_ISSUER = 'fitnexa-identity';
export const ACCESS_TOKEN_AUDIENCE = 'fitnexa';
export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

export interface VerifierOptions {
  /** Where identity publishes its public keys; fetched lazily, cached, refetched on an unknown key id. */
  jwksUrl?: string;
  /** A key source of one's own (identity verifies with its local key set). */
  keys?: JWTVerifyGetKey;
  /** Least time between two fetches of the key set, so unknown key ids cannot hammer identity. */
  jwksCooldownMs?: number;
}

/**
 * Verifies FitNexa access tokens: EdDSA only (so `alg: none` and HMAC tricks fail), issuer,
 * audience and expiry checked, and the claims turned into a Principal.
 */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const keys =
    options.keys ??
    (options.jwksUrl
      ? remoteKeySet(new URL(options.jwksUrl), options.jwksCooldownMs ?? 5_000)
      : undefined);
  if (!keys) throw new Error('createAccessTokenVerifier needs jwksUrl or keys');
  const verified = new VerifiedTokens();
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || !ROLES.includes(role as Role)) {
        throw new AuthenticationError('Access token has invalid claims');
      }
      const principal: Principal = {
        userId: payload.sub,
        role: role as Role,
        issuedAt: issuedAtOf(payload.iat!, payload.iat_ms),
      };
      verified.add(token, principal, payload.exp! * 1000);
      return principal;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new AuthenticationError('Access token has expired');
      if (error instanceof joseErrors.JOSEError)
        throw new AuthenticationError('Access token is not valid');
      // Could not reach the key set: not the client's fault, so not a 401.
      throw error;
    }
  };
}

/**
 * identity's key set over HTTP, cached for 10 minutes and fetched again for an unknown key id. jose
 * refuses an unknown key id outright while its last fetch is younger than the cooldown; such a
 * token is held until the cooldown has passed and looked up once more (a fetch shared by every
 * request waiting), so a key that began signing just after a fetch (`keys:rotate -- --now`) is
 * accepted on first sight rather than refused for a few seconds.
 */
function remoteKeySet(url: URL, cooldownMs: number): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: cooldownMs,
  });
  let cooldownOver: Promise<void> | undefined;
  return async (header, token) => {
    // Not cooling down, jose fetches again itself for an unknown key id: nothing to wait for then.
    const coolingDown = remote.coolingDown;
    try {
      return await remote(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !coolingDown) throw error;
      cooldownOver ??= new Promise<void>((resolve) => {
        setTimeout(resolve, cooldownMs).unref();
      }).finally(() => {
        cooldownOver = undefined;
      });
      await cooldownOver;
      return remote(header, token);
    }
  };
}

/**
 * The token's issue time in ms: its `iat_ms` claim when that agrees with `iat` (same second),
 * else the start of `iat`'s second (tokens signed without it).
 */
function issuedAtOf(iat: number, iatMs: unknown): number {
  if (typeof iatMs === 'number' && Math.floor(iatMs / 1000) === iat) return iatMs;
  return iat * 1000;
}

// A client sends the same token with every request until it expires: checking its signature
// again each time was about 4% of the gateway's CPU. Tokens are remembered for a minute at most
// (and never past their expiry), so a key withdrawn from the key set stops working soon after.
const VERIFIED_TOKEN_TTL_MS = 60_000;
const MAX_VERIFIED_TOKENS = 10_000;

class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  add(token: string, principal: Principal, expiresAt: number): void {
    // Oldest first: a Map iterates in insertion order.
    if (this.entries.size >= MAX_VERIFIED_TOKENS) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(token, {
      principal,
      until: Math.min(expiresAt, Date.now() + VERIFIED_TOKEN_TTL_MS),
    });
  }
}

/** The bearer token of an `authorization` header, null when there is none; malformed headers are rejected. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
  if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>"');
  return match[1]!;
}

export interface AuthContext {
  principal: Principal | null;
}

/** The signed-in principal, or UNAUTHENTICATED. */
export function requireUser(context: AuthContext): Principal {
  if (!context.principal) throw new AuthenticationError();
  return context.principal;
}

/** The signed-in principal when it has one of `roles`, FORBIDDEN otherwise. */
export function requireRole(context: AuthContext, ...roles: Role[]): Principal {
  const principal = requireUser(context);
  if (!roles.includes(principal.role)) throw new ForbiddenError();
  return principal;
}

/** The principal when it is `userId` themselves or an ADMIN. */
export function requireSelfOrAdmin(context: AuthContext, userId: string): Principal {
  const principal = requireUser(context);
  if (principal.userId !== userId && principal.role !== 'ADMIN') throw new ForbiddenError();
  return principal;
}

/** No access token lives longer (identity's ACCESS_TOKEN_TTL_SECONDS is at most this). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 3600;

export {
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  DEVELOPMENT_SERVICE_TOKEN_SECRET,
  GATEWAY_SERVICE,
  MIN_SERVICE_TOKEN_SECRET_LENGTH,
  SERVICE_TOKEN_ALGORITHM,
  SERVICE_TOKEN_HEADER,
  SERVICE_TOKEN_TTL_SECONDS,
  type ServiceTokenIssuer,
  type ServiceTokenVerifier,
} from './service-tokens';
