import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from '@fitnexa/shared/auth';
import type { Principal } from '@fitnexa/shared/types';
import { SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import type { SigningKeys } from './signing-keys';

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs access tokens with the signing key of the moment and publishes the public half of every
 * published key as a JWKS (see SigningKeys: shared by every instance of identity via the database,
 * rotated on a schedule).
 */
export class TokenSigner {
  readonly verify: AccessTokenVerifier;
  private signingKey?: { kid: string; privateKey: CryptoKey };

  private constructor(
    private readonly keys: SigningKeys,
    private readonly ttlSeconds: number,
  ) {
    this.verify = createAccessTokenVerifier({ keys: keys.getKey });
  }

  static async load(keys: SigningKeys, ttlSeconds: number): Promise<TokenSigner> {
    return new TokenSigner(keys, ttlSeconds);
  }

  get jwks(): JSONWebKeySet {
    return this.keys.jwks();
  }

  // sign() reads `kid` and then `privateKey` in one synchronous expression: the pair is taken
  // once, with the kid, so a key activating in between cannot split it.
  private get kid(): string {
    this.signingKey = this.keys.signing();
    return this.signingKey.kid;
  }

  private get privateKey(): CryptoKey {
    return (this.signingKey ?? this.keys.signing()).privateKey;
  }

  async sign(principal: Principal, now = new Date()): Promise<AccessToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    // iat_ms: a revocation and a new token of the same second must be told apart (see
    // @fitnexa/shared/auth/revocations).
    const token = await new SignJWT({ role: principal.role, iat_ms: now.getTime() })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }
}

/** A new opaque refresh token and the hash that is stored in its place. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
