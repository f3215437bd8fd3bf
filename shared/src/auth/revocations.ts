import { AuthenticationError, ServiceUnavailableError, errorMessage } from '../errors';
import type { Logger } from '../logger/types';
import { connectFailFast } from '../redis';
import { MAX_ACCESS_TOKEN_TTL_SECONDS, type AccessTokenVerifier } from './index';
import {
  redisRevocationNotices,
  type RevocationListener,
  type RevocationWatch,
} from './revocation-notices';

/**
 * Per user, the instant from which their access tokens are valid again: identity moves it to "now"
 * when an account is deleted or its role changes, and every token issued at or before it is
 * refused. It is the one truth every service reads, whether or not it was running at the time.
 */
export interface RevocationStore {
  /**
   * Refuses every token of the user issued at or before `at` (ms; default now). Rejects with
   * SERVICE_UNAVAILABLE when the store cannot be written: the caller must then change nothing.
   */
  revoke(userId: string, at?: number): Promise<void>;
  /** Each user's "valid from" instant (ms), null for none; rejects when the store is unreachable. */
  validFrom(userIds: readonly string[]): Promise<(number | null)[]>;
  /**
   * Tells `listener` of every revocation written from now on, by any writer of the store, as it is
   * written (the user's "valid from" after it); `coverage()` says which stretch of time that is
   * known to hold for (revocation-notices.ts).
   */
  watch(listener: RevocationListener): RevocationWatch;
  /** For readiness: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RevocationStoreOptions {
  /** Redis URL; absent means an in-process store, which only services of this process share. */
  url?: string;
  /** Prepended to every key: graphs of tests sharing one Redis never see each other's. */
  prefix: string;
  logger: Logger;
  commandTimeoutMs?: number;
}

/** Production's prefix: one for every service, so all read what identity writes. */
export const DEFAULT_REVOCATIONS_PREFIX = 'fitnexa:revocations';

// A key outlives every token it can refuse (the longest lifetime), with a margin for clock skew.
const KEY_TTL_SECONDS = MAX_ACCESS_TOKEN_TTL_SECONDS + 300;

/** UNAUTHENTICATED for a token issued before its user's revocation (see refusingRevokedTokens). */
export class TokenRevokedError extends AuthenticationError {
  constructor() {
    super('Access token revoked: the account was deleted or its role changed; sign in again');
  }
}

const unavailable = () =>
  new ServiceUnavailableError(
    'Cannot record the revocation of access tokens right now; nothing was changed, try again',
  );

export async function createRevocationStore(
  options: RevocationStoreOptions,
): Promise<RevocationStore> {
  return options.url ? redisStore(options, options.url) : memoryStore();
}

/**
 * A service's own store, when it is not handed the one of its process: on Redis, or in-process
 * with a warning, since a service alone in its process then never hears identity's revocations.
 */
export async function ownRevocationStore(
  options: Omit<RevocationStoreOptions, 'prefix'> & { prefix?: string },
): Promise<RevocationStore> {
  if (!options.url) {
    options.logger.warn(
      'no REDIS_URL: revoked access tokens are refused only if revoked in this process',
    );
  }
  return createRevocationStore({
    ...options,
    prefix: options.prefix ?? DEFAULT_REVOCATIONS_PREFIX,
  });
}

/**
 * The store a service reads: the one its caller shares (`shared`, which the caller closes, so
 * closing this one leaves it open), else a store of the service's own (ownRevocationStore).
 */
export async function revocationStoreOf(
  shared: RevocationStore | undefined,
  own: Parameters<typeof ownRevocationStore>[0],
): Promise<RevocationStore> {
  if (!shared) return ownRevocationStore(own);
  return {
    revoke: (userId, at) => shared.revoke(userId, at),
    validFrom: (userIds) => shared.validFrom(userIds),
    watch: (listener) => shared.watch(listener),
    ping: () => shared.ping(),
    close: async () => {},
  };
}

// Keeps the later instant: two revocations of one user racing never move it back. Publishes the
// user and the instant that stands, in the same step, for the readers' notices.
const REVOKE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local validFrom = ARGV[1]
if current and tonumber(current) >= tonumber(ARGV[1]) then
  validFrom = current
  redis.call('EXPIRE', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. validFrom)
return 1`;

async function redisStore(
  { prefix, logger, commandTimeoutMs = 250 }: RevocationStoreOptions,
  url: string,
): Promise<RevocationStore> {
  // A channel is no key: the prefix is written out.
  const channel = `${prefix}:revoked`;
  const [{ redis, close }, notices] = await Promise.all([
    connectFailFast({
      url,
      keyPrefix: `${prefix}:`,
      commandTimeoutMs,
      onOutage: (error) => logger.warn('revocation store unavailable', { error }),
      onRecovered: () => logger.info('revocation store back'),
    }),
    redisRevocationNotices({ url, channel }),
  ]);
  const key = (userId: string) => `user:${userId}`;
  return {
    async revoke(userId, at = Date.now()) {
      try {
        await redis.eval(
          REVOKE_SCRIPT,
          1,
          key(userId),
          String(at),
          String(KEY_TTL_SECONDS),
          channel,
          userId,
        );
      } catch (error) {
        logger.error('could not record a revocation', {
          userId,
          error: errorMessage(error),
        });
        throw unavailable();
      }
    },
    async validFrom(userIds) {
      if (!userIds.length) return [];
      const values = await redis.mget(...userIds.map(key));
      return values.map((value) => (value === null ? null : Number(value)));
    },
    watch: (listener) => notices.watch(listener),
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      await Promise.all([notices.close(), close()]);
    },
  };
}

// In one process every revocation is told to every reader as it is written: nothing is missed.
const EVERYTHING = { from: -Infinity, until: Infinity };

function memoryStore(): RevocationStore {
  const entries = new Map<string, { at: number; expiresAt: number }>();
  const listeners = new Set<RevocationListener>();
  return {
    async revoke(userId, at = Date.now()) {
      const now = Date.now();
      const current = entries.get(userId);
      const validFrom = current && current.expiresAt > now ? Math.max(current.at, at) : at;
      // Re-inserted at the end: a Map iterates in insertion order, so expired ones come first.
      entries.delete(userId);
      entries.set(userId, { at: validFrom, expiresAt: now + KEY_TTL_SECONDS * 1000 });
      for (const [id, entry] of entries) {
        if (entry.expiresAt > now) break;
        entries.delete(id);
      }
      for (const listener of listeners) listener(userId, validFrom);
    },
    async validFrom(userIds) {
      const now = Date.now();
      return userIds.map((userId) => {
        const entry = entries.get(userId);
        return entry && entry.expiresAt > now ? entry.at : null;
      });
    },
    watch(listener) {
      listeners.add(listener);
      return { coverage: () => EVERYTHING, stop: () => listeners.delete(listener) };
    },
    ping: async () => {},
    close: async () => {
      entries.clear();
      listeners.clear();
    },
  };
}

export interface RevocationCheckOptions {
  logger: Logger;
  /**
   * How long a user's "valid from" is trusted, once neither read nor covered by the store's
   * notices, before it is read again: a revocation reaches this service within this (plus one
   * store round trip) even when its notice is lost.
   */
  freshForMs?: number;
}

/** A revocation is seen by every reader within this, plus one round trip to the store. */
export const REVOCATION_FRESH_FOR_MS = 250;

/**
 * From a revocation until no request a reader took with the revoked token is still writing: the
 * readers' freshness, plus a second for a request accepted at its end to commit. What ends a
 * user's data (the erasure after `identity.user.deleted`) waits for this, so that such a write
 * lands before it, and goes with the rest, rather than after it, where it would stay.
 */
export const REVOCATION_SETTLED_MS = REVOCATION_FRESH_FOR_MS + 1_000;
// Users remembered at most (the stale values are what an outage falls back on).
const MAX_REMEMBERED_USERS = 50_000;

/** The later of two "valid from" instants, null for none. */
const later = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * A verifier that also refuses, with UNAUTHENTICATED, tokens issued at or before their user's
 * "valid from" instant. Runs after the signature check, cached or not, on every request. A user's
 * instant, once read, is kept up to date by the store's notices, and read again only when they
 * have not covered the last `freshForMs` (decision 0044); reads of one tick go in one MGET. While
 * the store is unreachable the last value known for the user stands; a user never read is let
 * through (failing open: refusing everyone would take the whole API down with Redis).
 */
export function refusingRevokedTokens(
  verify: AccessTokenVerifier,
  store: RevocationStore,
  options: RevocationCheckOptions,
): AccessTokenVerifier {
  const freshForMs = options.freshForMs ?? REVOCATION_FRESH_FOR_MS;
  const known = new Map<string, { validFrom: number | null; readAt: number }>();
  let waiting = new Map<string, (validFrom: number | null) => void>();
  let unreachable = false;

  // An instant only ever moves later (the store keeps the later of two), so what is known and what
  // is read or told are merged, never replaced: a read that was on its way while a notice came
  // cannot undo the notice.
  const remember = (userId: string, validFrom: number | null, readAt: number) => {
    const entry = known.get(userId);
    known.delete(userId);
    known.set(userId, {
      validFrom: later(entry?.validFrom ?? null, validFrom),
      readAt: Math.max(entry?.readAt ?? -Infinity, readAt),
    });
    if (known.size > MAX_REMEMBERED_USERS) known.delete(known.keys().next().value!);
  };
  // One read per user at a time: requests arriving while it is on its way wait for it.
  const reading = new Map<string, Promise<number | null>>();
  const watch = store.watch((userId, validFrom) => {
    const entry = known.get(userId);
    if (entry) entry.validFrom = later(entry.validFrom, validFrom);
    // Kept for the read on its way, not trusted alone (it was never read).
    else if (reading.has(userId)) remember(userId, validFrom, -Infinity);
  });
  /** Until when what is known of a user holds: its read, or as far as the notices since cover. */
  const upToDateAt = (entry: { readAt: number }) => {
    const told = watch.coverage();
    return told !== null && told.from <= entry.readAt
      ? Math.max(entry.readAt, told.until)
      : entry.readAt;
  };

  const flush = async () => {
    const batch = waiting;
    waiting = new Map();
    const userIds = [...batch.keys()];
    const readAt = Date.now();
    try {
      const values = await store.validFrom(userIds);
      if (unreachable) options.logger.info('revocations readable again');
      unreachable = false;
      userIds.forEach((userId, index) => remember(userId, values[index] ?? null, readAt));
    } catch (error) {
      if (!unreachable) {
        options.logger.warn(
          'revocation store unreachable: deciding on the last values read, letting unknown users through',
          { error: errorMessage(error) },
        );
      }
      unreachable = true;
    }
    // What stands: the read merged with what was told meanwhile, or in an outage what was known.
    for (const userId of userIds) batch.get(userId)!(known.get(userId)?.validFrom ?? null);
  };

  const validFromOf = (userId: string): Promise<number | null> | number | null => {
    const entry = known.get(userId);
    if (entry && Date.now() - upToDateAt(entry) < freshForMs) return entry.validFrom;
    let read = reading.get(userId);
    if (!read) {
      read = new Promise<number | null>((resolve) => {
        if (!waiting.size) setImmediate(() => void flush());
        waiting.set(userId, resolve);
      }).finally(() => reading.delete(userId));
      reading.set(userId, read);
    }
    return read;
  };

  return async (token) => {
    const principal = await verify(token);
    const validFrom = await validFromOf(principal.userId);
    if (validFrom !== null && (principal.issuedAt ?? 0) <= validFrom) {
      throw new TokenRevokedError();
    }
    return principal;
  };
}

interface WatchedConnection {
  token: string;
  close(): void;
}

/**
 * Long-lived connections (graphql-ws) authenticated once at connect: each is checked again every
 * `intervalMs` and closed when its token has been revoked since (not when it merely expires).
 */
export function watchRevokedConnections(verify: AccessTokenVerifier, intervalMs = 1_000) {
  const watched = new Map<object, WatchedConnection>();
  /**
   * Verifies `token` once and, when it is revoked now, closes every connection of `holding` still
   * watched with it; true when it closed any. One verification per token, however many
   * connections hold it (thousands of a few users' clients).
   */
  const closeIfRevoked = (token: string, holding: [object, WatchedConnection][]) =>
    verify(token).then(
      () => false,
      (error: unknown) => {
        if (!(error instanceof TokenRevokedError)) return false;
        let closed = false;
        for (const [key, connection] of holding) {
          if (watched.get(key) !== connection) continue;
          watched.delete(key);
          connection.close();
          closed = true;
        }
        return closed;
      },
    );
  const timer = setInterval(() => {
    const byToken = new Map<string, [object, WatchedConnection][]>();
    for (const entry of watched) {
      const holding = byToken.get(entry[1].token);
      if (holding) holding.push(entry);
      else byToken.set(entry[1].token, [entry]);
    }
    for (const [token, holding] of byToken) void closeIfRevoked(token, holding);
  }, intervalMs);
  timer.unref();
  return {
    watch(key: object, token: string, close: () => void) {
      watched.set(key, { token, close });
    },
    unwatch(key: object) {
      watched.delete(key);
    },
    /**
     * Checks the connections holding `token` now rather than at the next tick (another service
     * refused it), and once more when this service's cached read of the user has gone stale.
     * Resolves when done, with whether any was closed.
     */
    async recheck(token: string): Promise<boolean> {
      const checkAll = async () => {
        const holding = [...watched].filter(([, connection]) => connection.token === token);
        return holding.length > 0 && closeIfRevoked(token, holding);
      };
      if (await checkAll()) return true;
      await new Promise((resolve) => setTimeout(resolve, REVOCATION_FRESH_FOR_MS));
      return checkAll();
    },
    stop() {
      clearInterval(timer);
      watched.clear();
    },
  };
}
