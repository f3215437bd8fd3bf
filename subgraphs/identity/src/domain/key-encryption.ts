import { createHash } from 'node:crypto';
import { compactDecrypt, CompactEncrypt, decodeProtectedHeader, type JWK } from 'jose';
import { errorMessage } from '@fitnexa/shared/errors';

/** The stored private key cannot be read with the configured SIGNING_KEY_ENCRYPTION_KEY. */
export class SigningKeyDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyDecryptionError';
  }
}

/**
 * Encrypts the private halves of signing keys for the database: a compact JWE with `dir` +
 * `A256GCM` (jose), so a database dump alone cannot sign tokens. The JWE's `kid` names the
 * encryption key by a short hash, so a wrong key is reported as such rather than as corruption.
 */
export class PrivateKeyCipher {
  private readonly keyId: string;

  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new Error('SIGNING_KEY_ENCRYPTION_KEY must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /** From the configured base64 (or base64url) value. */
  static fromConfig(value: string): PrivateKeyCipher {
    return new PrivateKeyCipher(new Uint8Array(Buffer.from(value, 'base64')));
  }

  encrypt(jwk: JWK): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.keyId })
      .encrypt(this.key);
  }

  /** The private JWK of signing key `kid`; throws SigningKeyDecryptionError rather than return garbage. */
  async decrypt(jwe: string, kid: string): Promise<JWK> {
    let encryptedWith: unknown;
    try {
      encryptedWith = decodeProtectedHeader(jwe).kid;
    } catch {
      throw new SigningKeyDecryptionError(`Signing key ${kid} is not stored as a JWE`);
    }
    if (encryptedWith !== this.keyId) {
      throw new SigningKeyDecryptionError(
        `Signing key ${kid} was encrypted with another SIGNING_KEY_ENCRYPTION_KEY ` +
          `(id ${String(encryptedWith)}; the configured one is ${this.keyId})`,
      );
    }
    try {
      const { plaintext } = await compactDecrypt(jwe, this.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      const jwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
      // The ciphertext of one row copied into another would decrypt fine: the kid inside must match.
      if (jwk.kid !== kid) throw new Error(`it holds key ${String(jwk.kid)}`);
      return jwk;
    } catch (error) {
      throw new SigningKeyDecryptionError(
        `Signing key ${kid} cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEY: ${errorMessage(
          error,
        )}`,
      );
    }
  }
}

/** Whether a stored private key is still the plaintext JWK of before encryption (JSON, not a JWE). */
export function isPlaintextJwk(stored: string): boolean {
  return stored.trimStart().startsWith('{');
}
