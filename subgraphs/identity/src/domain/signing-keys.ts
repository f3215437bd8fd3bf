import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM } from '@fitnexa/shared/auth';
import type { Logger } from '@fitnexa/shared/logger';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { SigningKeyRecord, SigningKeyRepository } from '../data/signing-keys';
import { isPlaintextJwk, type PrivateKeyCipher } from './key-encryption';
import { errorMessage } from '@fitnexa/shared/errors';

/** How often each instance reloads the keys and rotates when the newest is due. */
export const SIGNING_KEY_CHECK_INTERVAL_MS = 60_000;

/**
 * A scheduled key is published this long before it signs, so that by then every identity instance
 * has loaded it (each checks every minute) and every verifier's cached key set holds it (a JWKS
 * response may sit 5 minutes in HTTP caches, and verifiers keep theirs up to 10): none of them meets
 * an unknown key id.
 */
export const SIGNING_KEY_PUBLISH_LEAD_MS = 20 * 60_000;

/**
 * An old key stays published this long past the access-token lifetime after its successor
 * activated: an instance may sign with it until its next check, and clocks differ a little.
 */
export const SIGNING_KEY_RETIRE_MARGIN_MS = SIGNING_KEY_CHECK_INTERVAL_MS + 60_000;

/** Unknown key ids make identity reload its keys, at most this often (a token waits for it). */
const RELOAD_ON_UNKNOWN_KID_MS = 1_000;

export interface RotatedKey {
  kid: string;
  activatesAt: Date;
  /** False when a rotation was already pending (e.g. another instance's) and no key was added. */
  created: boolean;
}

export interface SigningKeysOptions {
  repository: SigningKeyRepository;
  cipher: PrivateKeyCipher;
  accessTokenTtlSeconds: number;
  /** A new key once the newest is this many days old; 0: only when asked (`npm run keys:rotate`). */
  rotationDays: number;
  logger: Logger;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  activatesAt: Date;
  retiredAt: Date | null;
  /** Decrypted for the key that signs and those scheduled to; never for keys already superseded. */
  privateKey?: CryptoKey;
}

/**
 * identity's signing keys, shared by every instance through the database. Each instance keeps the
 * published keys in memory and reloads them every minute; changes (the first key, rotation,
 * encrypting old plaintext rows, deleting retired keys) happen under an advisory lock, so that
 * however many instances check at once, a due rotation adds exactly one key.
 */
export class SigningKeys {
  private keys: LoadedKey[] = [];
  private localKeySet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  private lastLoad = 0;
  private loading?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private reloadForUnknownKid?: Promise<void>;
  private nextLoad?: Promise<void>;

  private constructor(private readonly options: SigningKeysOptions) {}

  /**
   * The keys, ready to sign: encrypts plaintext rows, creates the first key, rotates when due and
   * decrypts what may sign. Throws (and identity does not start) when a key cannot be decrypted.
   */
  static async open(options: SigningKeysOptions): Promise<SigningKeys> {
    const keys = new SigningKeys(options);
    await keys.maintain();
    await keys.reload();
    return keys;
  }

  /** The key that signs at `now`: the last one activated. */
  signing(now = new Date()): { kid: string; privateKey: CryptoKey } {
    const key = this.keys.find((candidate) => candidate.activatesAt <= now);
    if (!key?.privateKey) throw new Error('identity has no signing key loaded');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /** The public keys to publish at `now`: the signing key, the scheduled one, and those whose tokens may live on. */
  jwks(now = new Date()): JSONWebKeySet {
    return {
      keys: this.keys
        .filter((key) => !key.retiredAt || key.retiredAt > now)
        .map((key) => key.publicJwk),
    };
  }

  /**
   * Key lookup for verifying tokens in this instance: a key id it does not know (another instance
   * rotated with `--now`) makes it reload the keys first, at most once a second.
   */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys.some((key) => key.kid === header.kid)) {
      // Requests with unknown key ids share one reload, no sooner than the interval allows.
      this.reloadForUnknownKid ??= new Promise<void>((resolve) => {
        setTimeout(resolve, this.lastLoad + RELOAD_ON_UNKNOWN_KID_MS - Date.now()).unref();
      })
        .then(() => this.reload())
        .catch((error: unknown) =>
          this.options.logger.error('signing keys could not be reloaded', {
            error: errorMessage(error),
          }),
        )
        .finally(() => {
          this.reloadForUnknownKid = undefined;
        });
      await this.reloadForUnknownKid;
    }
    return this.localKeySet(header, token);
  };

  /**
   * Adds a key that signs after SIGNING_KEY_PUBLISH_LEAD_MS (published at once), or at once with
   * `immediately`. The previous key stays published until its tokens have expired. While a
   * scheduled key is pending, no other is added: `immediately` then activates that one.
   */
  async rotate({ immediately = false } = {}): Promise<RotatedKey> {
    const rotated = await this.options.repository.exclusively((keys) =>
      this.rotateLocked(keys, new Date(), { immediately }),
    );
    this.options.logger.info('signing key rotated', {
      kid: rotated.kid,
      activatesAt: rotated.activatesAt.toISOString(),
      created: rotated.created,
    });
    await this.reload();
    return rotated;
  }

  /**
   * What every instance does every minute (and at start), under the lock: encrypts plaintext
   * rows, creates the first key, rotates when the newest key is due, deletes retired keys.
   */
  async maintain(): Promise<void> {
    const { logger, cipher } = this.options;
    const now = new Date();
    await this.options.repository.exclusively(async (keys) => {
      const all = await keys.all();
      let encrypted = 0;
      for (const key of all) {
        if (!isPlaintextJwk(key.privateKey)) continue;
        const jwk = JSON.parse(key.privateKey) as JWK;
        await keys.setPrivateKey(key.kid, await cipher.encrypt({ ...jwk, kid: key.kid }));
        encrypted += 1;
      }
      if (encrypted > 0) logger.warn('plaintext signing keys encrypted', { count: encrypted });
      if (all.length === 0) {
        const kid = await this.createKey(keys, now, now);
        logger.info('first signing key created', { kid });
        return;
      }
      // A key that was stored in plaintext may live on in backups: it is replaced as if due.
      const due = encrypted > 0 || this.isDue(all[0]!, now);
      if (due) {
        const rotated = await this.rotateLocked(keys, now, { immediately: false });
        if (rotated.created) {
          logger.info('signing key rotated on schedule', {
            kid: rotated.kid,
            activatesAt: rotated.activatesAt.toISOString(),
          });
        }
      }
      const deleted = await keys.deleteRetired(now);
      if (deleted > 0) logger.info('retired signing keys deleted', { count: deleted });
    });
  }

  /** Reloads the published keys, decrypting those that sign now or later. */
  reload(): Promise<void> {
    // A load in flight may have read the keys before the caller's change: one more load follows
    // it, shared by every caller meanwhile, so a reload always sees what was written before it.
    if (this.loading) {
      this.nextLoad ??= this.loading
        .catch(() => undefined)
        .then(() => {
          this.nextLoad = undefined;
          return this.reload();
        });
      return this.nextLoad;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * Reloads first when the keys in memory are older than `maxAgeMs`: the JWKS is fetched for an
   * unknown key id, and behind a load balancer that fetch may reach an instance that has not
   * checked since another one rotated with `--now`. A failed reload serves what is loaded.
   */
  async reloadIfOlderThan(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.lastLoad <= maxAgeMs) return;
    await this.reload().catch((error: unknown) =>
      this.options.logger.error('signing keys could not be reloaded', {
        error: errorMessage(error),
      }),
    );
  }

  /** Checks (maintain, reload) every SIGNING_KEY_CHECK_INTERVAL_MS until stop(). */
  schedule(intervalMs = SIGNING_KEY_CHECK_INTERVAL_MS): void {
    this.timer ??= setInterval(() => {
      this.checking ??= this.maintain()
        .then(() => this.reload())
        .catch((error: unknown) =>
          // The keys loaded before keep signing; the next check tries again.
          this.options.logger.error('signing key check failed', {
            error: errorMessage(error),
          }),
        )
        .finally(() => {
          this.checking = undefined;
        });
    }, intervalMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
    await this.loading?.catch(() => undefined);
    await this.nextLoad?.catch(() => undefined);
  }

  private isDue(newest: SigningKeyRecord, now: Date): boolean {
    const { rotationDays } = this.options;
    return (
      rotationDays > 0 && now.getTime() - newest.createdAt.getTime() >= rotationDays * 86_400_000
    );
  }

  private async rotateLocked(
    keys: SigningKeyRepository,
    now: Date,
    { immediately }: { immediately: boolean },
  ): Promise<RotatedKey> {
    const pending = (await keys.all()).find((key) => key.activatesAt > now);
    if (pending && !immediately) {
      return { kid: pending.kid, activatesAt: pending.activatesAt, created: false };
    }
    let rotated: RotatedKey;
    if (pending) {
      await keys.setActivatesAt(pending.kid, now);
      rotated = { kid: pending.kid, activatesAt: now, created: false };
    } else {
      const activatesAt = immediately ? now : new Date(now.getTime() + SIGNING_KEY_PUBLISH_LEAD_MS);
      rotated = { kid: await this.createKey(keys, now, activatesAt), activatesAt, created: true };
    }
    // The last token an older key signs expires one lifetime (and a margin) after its successor activates.
    await keys.retireOthersBy(
      rotated.kid,
      new Date(
        rotated.activatesAt.getTime() +
          this.options.accessTokenTtlSeconds * 1000 +
          SIGNING_KEY_RETIRE_MARGIN_MS,
      ),
    );
    return rotated;
  }

  private async createKey(
    keys: SigningKeyRepository,
    now: Date,
    activatesAt: Date,
  ): Promise<string> {
    const pair = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, {
      crv: 'Ed25519',
      extractable: true,
    });
    const kid = randomUUID();
    await keys.create({
      kid,
      publicJwk: {
        ...(await exportJWK(pair.publicKey)),
        kid,
        alg: ACCESS_TOKEN_ALGORITHM,
        use: 'sig',
      },
      privateKey: await this.options.cipher.encrypt({
        ...(await exportJWK(pair.privateKey)),
        kid,
      }),
      createdAt: now,
      activatesAt,
    });
    return kid;
  }

  private async load(): Promise<void> {
    const now = new Date();
    const records = await this.options.repository.published(now);
    const signingIndex = records.findIndex((record) => record.activatesAt <= now);
    // The signing key and the ones scheduled after it (records come last-activated first).
    const mayStillSign = signingIndex === -1 ? records.length : signingIndex + 1;
    const previous = new Map(this.keys.map((key) => [key.kid, key.privateKey]));
    const keys = await Promise.all(
      records.map(async (record, index): Promise<LoadedKey> => {
        const base = {
          kid: record.kid,
          publicJwk: record.publicJwk,
          activatesAt: record.activatesAt,
          retiredAt: record.retiredAt,
        };
        if (index >= mayStillSign) return base;
        const privateKey =
          previous.get(record.kid) ??
          ((await importJWK(
            await this.options.cipher.decrypt(record.privateKey, record.kid),
            ACCESS_TOKEN_ALGORITHM,
          )) as CryptoKey);
        return { ...base, privateKey };
      }),
    );
    this.keys = keys;
    this.localKeySet = createLocalJWKSet({ keys: keys.map((key) => key.publicJwk) });
    this.lastLoad = Date.now();
  }
}
