import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ServiceAuthenticationError } from '../errors';

// Service credentials: how a subgraph knows a request comes from the gateway (or a named peer)
// and not from anything else that reaches its port. A short-lived JWT, HS256 with a secret every
// service shares (SERVICE_TOKEN_SECRET): `iss` the calling service, `aud` the subgraph called.
// See docs/decisions/0001-trust-boundary.md.

/** The HTTP header (and graphql-ws connection parameter) that carries the credential. */
export const SERVICE_TOKEN_HEADER = 'x-fitnexa-service';
export const SERVICE_TOKEN_ALGORITHM = 'HS256';
/** What every subgraph accepts: the gateway calls them all. */
export const GATEWAY_SERVICE = 'gateway';
/** Least length of SERVICE_TOKEN_SECRET: 256 bits of HMAC key, as HS256 asks for. */
export const MIN_SERVICE_TOKEN_SECRET_LENGTH = 32;
/**
 * The secret when none is configured (`npm start`, a service started on its own in development).
 * Public by being in the source: production's config refuses it.
 */
export const DEVELOPMENT_SERVICE_TOKEN_SECRET = 'fitnexa-development-only-service-token-secret';

/** How long a credential lives; the issuer renews it at half its life. */
export const SERVICE_TOKEN_TTL_SECONDS = 300;
// Clocks of two hosts disagree a little; a credential is never used near its expiry anyway.
const CLOCK_TOLERANCE_SECONDS = 30;

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export interface ServiceTokenIssuer {
  /** A valid credential of this service for `audience` (a subgraph's name); cached, renewed early. */
  tokenFor(audience: string): Promise<string>;
}

/**
 * Signs this service's credentials, one per audience, kept until half their life is gone: a request
 * costs a Map lookup, a signature happens every couple of minutes per subgraph.
 */
export function createServiceTokenIssuer(options: {
  secret: string;
  /** This service's name: the credential's `iss`. */
  issuer: string;
  ttlSeconds?: number;
  now?: () => number;
}): ServiceTokenIssuer {
  const key = keyOf(options.secret);
  const ttlSeconds = options.ttlSeconds ?? SERVICE_TOKEN_TTL_SECONDS;
  const now = options.now ?? Date.now;
  const cached = new Map<string, { token: Promise<string>; renewAt: number }>();
  const sign = (audience: string, issuedAt: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: SERVICE_TOKEN_ALGORITHM, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setAudience(audience)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setExpirationTime(Math.floor(issuedAt / 1000) + ttlSeconds)
      .sign(key);
  return {
    tokenFor(audience) {
      const at = now();
      const entry = cached.get(audience);
      if (entry && entry.renewAt > at) return entry.token;
      // Requests arriving while it is signed share the one promise.
      const token = sign(audience, at);
      cached.set(audience, { token, renewAt: at + (ttlSeconds * 1000) / 2 });
      token.catch(() => cached.delete(audience));
      return token;
    },
  };
}

/** Verifies a credential and answers who sent it; ServiceAuthenticationError otherwise. */
export type ServiceTokenVerifier = (token: string | null | undefined) => Promise<string>;

const MAX_VERIFIED_SERVICE_TOKENS = 1_000;

/**
 * Accepts only credentials signed HS256 with the shared secret, for `audience` (this service),
 * from one of `callers`, not expired. A verified credential is remembered until it expires
 * (a bounded Map): each caller sends the same one for minutes, so verifying is a lookup.
 */
export function createServiceTokenVerifier(options: {
  secret: string;
  /** This service's name: the credential's `aud` must be it. */
  audience: string;
  /** Services allowed to call: the gateway always, others by name. */
  callers: readonly string[];
  now?: () => number;
}): ServiceTokenVerifier {
  const key = keyOf(options.secret);
  const callers = new Set([GATEWAY_SERVICE, ...options.callers]);
  const now = options.now ?? Date.now;
  const verified = new Map<string, { caller: string; until: number }>();
  return async (token) => {
    if (!token) {
      throw new ServiceAuthenticationError(
        `Only the FitNexa gateway may call ${options.audience}: ${SERVICE_TOKEN_HEADER} is missing`,
      );
    }
    const known = verified.get(token);
    if (known) {
      if (known.until > now()) return known.caller;
      verified.delete(token);
    }
    let caller: string;
    let expiresAt: number;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [SERVICE_TOKEN_ALGORITHM],
        audience: options.audience,
        requiredClaims: ['iss', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now()),
      });
      caller = payload.iss!;
      expiresAt = (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new ServiceAuthenticationError('The service credential has expired');
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
        throw new ServiceAuthenticationError(
          `The service credential is not meant for ${options.audience}`,
        );
      }
      throw new ServiceAuthenticationError('The service credential is not valid');
    }
    if (!callers.has(caller)) {
      throw new ServiceAuthenticationError(`${caller} may not call ${options.audience}`);
    }
    // Oldest first: a Map iterates in insertion order.
    if (verified.size >= MAX_VERIFIED_SERVICE_TOKENS) {
      verified.delete(verified.keys().next().value!);
    }
    verified.set(token, { caller, until: expiresAt });
    return caller;
  };
}
