import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from '@fitnexa/shared/auth';
import type { Principal } from '@fitnexa/shared/types';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import type { SigningKeyRepository } from '../data/signing-keys';

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs access tokens with the newest Ed25519 key and publishes the public half of every active
 * key as a JWKS. The first start creates a key; every instance of identity shares it via the database.
 */
export class TokenSigner {
  private constructor(
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    readonly jwks: JSONWebKeySet,
    readonly verify: AccessTokenVerifier,
    private readonly ttlSeconds: number,
  ) {}

  static async load(keys: SigningKeyRepository, ttlSeconds: number): Promise<TokenSigner> {
    let active = await keys.active();
    if (active.length === 0) {
      const pair = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, {
        crv: 'Ed25519',
        extractable: true,
      });
      const kid = randomUUID();
      const publicJwk: JWK = {
        ...(await exportJWK(pair.publicKey)),
        kid,
        alg: ACCESS_TOKEN_ALGORITHM,
        use: 'sig',
      };
      await keys.create({
        kid,
        publicJwk,
        privateJwk: { ...(await exportJWK(pair.privateKey)), kid },
      });
      active = await keys.active();
    }
    const newest = active[0]!;
    const privateKey = (await importJWK(newest.privateJwk, ACCESS_TOKEN_ALGORITHM)) as CryptoKey;
    const jwks: JSONWebKeySet = { keys: active.map((key) => key.publicJwk) };
    const verify = createAccessTokenVerifier({ keys: createLocalJWKSet(jwks) });
    return new TokenSigner(newest.kid, privateKey, jwks, verify, ttlSeconds);
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
