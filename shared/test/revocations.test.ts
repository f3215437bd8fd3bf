import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Redis } from 'ioredis';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  createAccessTokenVerifier,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
} from '../src/auth';
import {
  createRevocationStore,
  refusingRevokedTokens,
  revocationStoreOf,
  type RevocationStore,
} from '../src/auth/revocations';
import {
  capturingLogger,
  closedWhileRedisHangs,
  killProcess,
  quietLogger,
  startOwnRedis,
  testRedisUrl,
  untilPasses,
} from '../src/testing';

const logger = quietLogger('revocations-test');

async function issuer() {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, {
    crv: 'Ed25519',
  });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] };
  return {
    verify: createAccessTokenVerifier({ keys: createLocalJWKSet(jwks) }),
    /** A token of `userId` issued at `issuedAtMs`, with identity's ms claim unless `secondsOnly`. */
    sign: (userId: string, issuedAtMs: number, secondsOnly = false) =>
      new SignJWT({ role: 'MEMBER', ...(secondsOnly ? {} : { iat_ms: issuedAtMs }) })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: 'k' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(Math.floor(issuedAtMs / 1000))
        .setExpirationTime(Math.floor(issuedAtMs / 1000) + 600)
        .sign(privateKey),
  };
}

const refused = { extensions: { code: 'UNAUTHENTICATED' } };

describe('revocation store on Redis', () => {
  const prefix = `revocations_test_${randomUUID()}`;
  let store: RevocationStore;
  let tokens: Awaited<ReturnType<typeof issuer>>;

  beforeAll(async () => {
    store = await createRevocationStore({ url: testRedisUrl(), prefix, logger });
    tokens = await issuer();
  });
  afterAll(() => store.close());

  it('when a user is revoked, then their token issued in the same second just before is refused and one issued just after passes', async () => {
    const userId = randomUUID();
    const second = Math.floor(Date.now() / 1000) * 1000;
    await store.revoke(userId, second + 500);
    const check = refusingRevokedTokens(tokens.verify, store, { logger });
    await expect(check(await tokens.sign(userId, second + 499))).rejects.toMatchObject({
      ...refused,
      message: expect.stringContaining('revoked'),
    });
    await expect(check(await tokens.sign(userId, second + 501))).resolves.toMatchObject({
      userId,
      issuedAt: second + 501,
    });
  });

  it('when a token carries no ms claim, then it counts as issued at the start of its second', async () => {
    const userId = randomUUID();
    const second = Math.floor(Date.now() / 1000) * 1000;
    await store.revoke(userId, second + 500);
    const check = refusingRevokedTokens(tokens.verify, store, { logger });
    await expect(check(await tokens.sign(userId, second + 900, true))).rejects.toMatchObject(
      refused,
    );
    await expect(check(await tokens.sign(userId, second + 1000, true))).resolves.toMatchObject({
      userId,
    });
  });

  it('when another user is revoked, then this user is not', async () => {
    const check = refusingRevokedTokens(tokens.verify, store, { logger });
    await store.revoke(randomUUID());
    const userId = randomUUID();
    await expect(check(await tokens.sign(userId, Date.now() - 1000))).resolves.toMatchObject({
      userId,
    });
  });

  it('when a verifier already let a token through, then a revocation stops it on a later request', async () => {
    const userId = randomUUID();
    const check = refusingRevokedTokens(tokens.verify, store, { logger, freshForMs: 0 });
    const token = await tokens.sign(userId, Date.now() - 1000);
    await expect(check(token)).resolves.toMatchObject({ userId });
    await store.revoke(userId);
    await expect(check(token)).rejects.toMatchObject(refused);
  });

  it('when an earlier instant arrives after a later one, then the later one stands', async () => {
    const userId = randomUUID();
    const now = Date.now();
    await store.revoke(userId, now);
    await store.revoke(userId, now - 5_000);
    expect(await store.validFrom([userId])).toEqual([now]);
  });

  it('when a revocation is written, then its key expires after the longest token lifetime and a margin, under the prefix', async () => {
    const userId = randomUUID();
    await store.revoke(userId);
    const redis = new Redis(testRedisUrl());
    try {
      const ttl = await redis.ttl(`${prefix}:user:${userId}`);
      expect(ttl).toBeGreaterThan(MAX_ACCESS_TOKEN_TTL_SECONDS);
      expect(ttl).toBeLessThanOrEqual(MAX_ACCESS_TOKEN_TTL_SECONDS + 300);
    } finally {
      redis.disconnect();
    }
  });

  it('when two graphs use other prefixes, then neither sees the revocations of the other', async () => {
    const other = await createRevocationStore({
      url: testRedisUrl(),
      prefix: `${prefix}_other`,
      logger,
    });
    try {
      const userId = randomUUID();
      await store.revoke(userId);
      expect(await other.validFrom([userId])).toEqual([null]);
    } finally {
      await other.close();
    }
  });
});

describe("revocations told to every reader as they are written (the store's notices)", () => {
  const prefix = `revocations_notices_${randomUUID()}`;
  let tokens: Awaited<ReturnType<typeof issuer>>;
  beforeAll(async () => {
    tokens = await issuer();
  });

  /** Resolves once `store`'s notices flow (the subscription is taken and answering). */
  const noticesFlowing = (store: RevocationStore) =>
    untilPasses(() => {
      const watch = store.watch(() => {});
      const coverage = watch.coverage();
      watch.stop();
      expect(coverage).not.toBeNull();
    });

  /**
   * Two services' stores on the Redis at `url`: the reader's notices flowing and its check, which
   * has just let a fresh user's token through (the user read once).
   */
  async function aReaderAndAWriter(url: string, freshForMs: number) {
    const reader = await createRevocationStore({ url, prefix, logger });
    const writer = await createRevocationStore({ url, prefix, logger });
    const close = () => Promise.all([reader.close(), writer.close()]);
    try {
      await noticesFlowing(reader);
      const check = refusingRevokedTokens(tokens.verify, reader, { logger, freshForMs });
      const userId = randomUUID();
      const token = await tokens.sign(userId, Date.now() - 1000);
      await expect(check(token)).resolves.toMatchObject({ userId });
      return { reader, writer, check, userId, token, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  it("when a user is revoked through another service's store, then a reader refuses their token at once, though it would trust its read for a minute", async () => {
    const { writer, check, userId, token, close } = await aReaderAndAWriter(testRedisUrl(), 60_000);
    try {
      await writer.revoke(userId);

      await untilPasses(() => expect(check(token)).rejects.toMatchObject(refused), 2_000);
    } finally {
      await close();
    }
  });

  it('when a reader keeps hearing the notices, then it reads a user again only when they stall, not every freshForMs', async () => {
    const store = await createRevocationStore({ url: testRedisUrl(), prefix, logger });
    let reads = 0;
    const counted: RevocationStore = {
      ...store,
      validFrom: (userIds) => {
        reads += 1;
        return store.validFrom(userIds);
      },
    };
    try {
      await noticesFlowing(store);
      const check = refusingRevokedTokens(tokens.verify, counted, { logger, freshForMs: 250 });
      const userId = randomUUID();
      const token = await tokens.sign(userId, Date.now() - 1000);
      // Without the notices, each of these six requests would read again. (One more read is
      // allowed: the heartbeat can stall behind a busy test process's event loop.)
      for (let request = 0; request < 6; request += 1) {
        await expect(check(token)).resolves.toMatchObject({ userId });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(reads).toBeLessThanOrEqual(2);
    } finally {
      await store.close();
    }
  });

  it('when the notices were cut while a user was revoked, then the reader reads that user again once its read has gone stale, though the notices flow again', async () => {
    const redis = await startOwnRedis();
    const admin = new Redis(redis.url);
    const { reader, writer, check, userId, token, close } = await aReaderAndAWriter(redis.url, 250);
    try {
      // Every subscriber's connection dropped: the revocation's notice reaches no one.
      await admin.client('KILL', 'TYPE', 'pubsub');
      await writer.revoke(userId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await noticesFlowing(reader);

      await expect(check(token)).rejects.toMatchObject(refused);
    } finally {
      admin.disconnect();
      await close();
      await killProcess(redis.process);
    }
  });

  it("when a user's read is on its way as their revocation is told, then the told instant stands over the older read", async () => {
    const inProcess = await createRevocationStore({ prefix: 'revocations', logger });
    const userId = randomUUID();
    let answerRead: (() => void) | undefined;
    // A store whose read answers "never revoked" only after the revocation was told.
    const slowRead: RevocationStore = {
      ...inProcess,
      validFrom: (userIds) =>
        new Promise((resolve) => {
          answerRead = () => resolve(userIds.map(() => null));
        }),
    };
    try {
      const check = refusingRevokedTokens(tokens.verify, slowRead, { logger });
      const checked = check(await tokens.sign(userId, Date.now() - 1000));
      await untilPasses(() => expect(answerRead).toBeDefined());
      await inProcess.revoke(userId);
      answerRead!();

      await expect(checked).rejects.toMatchObject(refused);
    } finally {
      await inProcess.close();
    }
  });
});

describe('revocation store on Redis, closed', () => {
  it('when the store is closed while Redis hangs, then its connection and its notices connection both end and no timer is left', async () => {
    const left = await closedWhileRedisHangs(async (url) => {
      const store = await createRevocationStore({ url, prefix: 'revocations', logger });
      await store.ping();
      return store;
    });
    expect(left).toEqual({ socketsEnded: 2, timersLeft: 0 });
  });
});

describe('revocation store while Redis is unreachable', () => {
  it('then reads keep the last value seen for a user, let unknown users through, log once, and writes fail with SERVICE_UNAVAILABLE', async () => {
    const redis = await startOwnRedis();
    const captured = capturingLogger('revocations-test');
    const store = await createRevocationStore({
      url: redis.url,
      prefix: 'revocations',
      logger: captured.logger,
    });
    try {
      const tokens = await issuer();
      const check = refusingRevokedTokens(tokens.verify, store, {
        logger: captured.logger,
        freshForMs: 0,
      });
      const revoked = randomUUID();
      const revokedToken = await tokens.sign(revoked, Date.now() - 1000);
      await store.revoke(revoked);
      await expect(check(revokedToken)).rejects.toMatchObject(refused);

      await killProcess(redis.process);

      await expect(check(revokedToken)).rejects.toMatchObject(refused);
      await expect(check(revokedToken)).rejects.toMatchObject(refused);
      const unknown = randomUUID();
      await expect(check(await tokens.sign(unknown, Date.now()))).resolves.toMatchObject({
        userId: unknown,
      });
      await expect(store.revoke(randomUUID())).rejects.toMatchObject({
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(
        captured.entries.filter((entry) =>
          String(entry.message).startsWith('revocation store unreachable'),
        ),
      ).toHaveLength(1);
    } finally {
      await store.close();
      await killProcess(redis.process);
    }
  });
});

describe('in-process revocation store', () => {
  it('when one service revokes, then every verifier on the same store refuses the earlier tokens', async () => {
    const store = await createRevocationStore({ prefix: 'revocations', logger });
    const tokens = await issuer();
    const userId = randomUUID();
    const token = await tokens.sign(userId, Date.now() - 1000);
    await store.revoke(userId);
    for (const check of [
      refusingRevokedTokens(tokens.verify, store, { logger }),
      refusingRevokedTokens(tokens.verify, store, { logger }),
    ]) {
      await expect(check(token)).rejects.toMatchObject(refused);
    }
    await store.close();
  });
});

describe("a service handed its process's revocation store", () => {
  it('when the service stops and closes its store, then the shared one stays open for the others', async () => {
    const shared = await createRevocationStore({ prefix: 'revocations', logger });
    const ofService = await revocationStoreOf(shared, { prefix: 'unused', logger });
    const userId = randomUUID();
    await ofService.revoke(userId, 1_000);
    expect(await shared.validFrom([userId])).toEqual([1_000]);

    await ofService.close();
    expect(await shared.validFrom([userId])).toEqual([1_000]);
    await shared.close();
  });
});
