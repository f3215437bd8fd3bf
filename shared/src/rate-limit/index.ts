import { connectFailFast } from '../redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger/types';
import { errorMessage } from '../errors';

export type RateLimitDecision =
  { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** Counts requests per key in a fixed window; never throws and never waits long for Redis. */
export interface RateLimiter {
  /**
   * Counts a request for `key` (`points` of it, default 1, e.g. one per operation of a batch)
   * and says whether it may go ahead. A refused request is counted too.
   */
  consume(key: string, points?: number): Promise<RateLimitDecision>;
  /** Forgets what was counted for `key` (e.g. after a successful login). */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

/** A limit: `points` requests per key in each window of `durationSeconds`. */
export interface RateLimit {
  /** Requests allowed per key in each window. */
  points: number;
  /** The window, in whole seconds. */
  durationSeconds: number;
  /** Once over the limit, the key stays refused this long (whole seconds) instead of until the window ends. */
  blockSeconds?: number;
}

interface RateLimiterConnectionOptions {
  /** Redis URL: the budget is shared by every instance. Absent means this process only. */
  redisUrl?: string;
  /** Prepended to every key, so limiters (and test runs) sharing a Redis never collide. */
  prefix: string;
  logger: Logger;
  /** How long a Redis command may take before this instance limits on its own. */
  commandTimeoutMs?: number;
}

export type RateLimiterOptions = RateLimiterConnectionOptions & RateLimit;

export interface RateLimitersOptions<K extends string> extends RateLimiterConnectionOptions {
  /** One limiter per name, all under `prefix` (their keys must differ, e.g. `ip:…` and `user:…`). */
  limits: Record<K, RateLimit>;
}

/** Limiters on one Redis connection, closed together. */
export interface RateLimiters<K extends string> {
  limiters: Record<K, Omit<RateLimiter, 'close'>>;
  close(): Promise<void>;
}

function integerAtLeast(min: number, name: string, value: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`rate limiter ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** The in-process limiter that stands in while Redis is away; tells which answers it gave. */
class InsuranceLimiter extends RateLimiterMemory {
  readonly answered = new WeakSet<RateLimiterRes>();

  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onFallback: () => void,
  ) {
    super(options);
  }

  /** Called by the Redis limiter when Redis failed it. */
  override consume(
    key: string | number,
    points?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    this.onFallback();
    return this.consumeHere(key, points, options);
  }

  /** Counts here, without asking Redis first. */
  async consumeHere(
    key: string | number,
    points?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    try {
      const res = await super.consume(key, points, options);
      this.answered.add(res);
      return res;
    } catch (refused) {
      if (refused instanceof RateLimiterRes) this.answered.add(refused);
      throw refused;
    }
  }
}

/** After Redis failed a request, how long requests skip it (a hung Redis costs each one a timeout). */
const REDIS_BACKOFF_MS = 1_000;

/**
 * A limiter on Redis (waiting up to 2 s for it at start), so that every instance of a service
 * shares one budget per key. While Redis is away (or slower than `commandTimeoutMs`) each
 * instance limits on its own, with the same numbers, and one warning is logged per outage.
 * Without a URL it limits in this process only.
 */
export async function createRateLimiter(options: RateLimiterOptions): Promise<RateLimiter> {
  const { limiters, close } = await createRateLimiters({ ...options, limits: { only: options } });
  return { ...limiters.only, close };
}

/**
 * Several limiters, as `createRateLimiter`'s, on one Redis connection with auto-pipelining: the
 * commands of limiters consulted together (an IP's and a user's budget for one request) leave in
 * one write and their answers come back in one read, rather than a round trip each. The outage
 * rules are the connection's: one warning per outage, and every limiter on it limits locally.
 */
export async function createRateLimiters<K extends string>(
  options: RateLimitersOptions<K>,
): Promise<RateLimiters<K>> {
  const { logger, prefix, commandTimeoutMs = 250 } = options;
  const limitsOf = (limit: RateLimit) => ({
    points: integerAtLeast(1, 'points', limit.points),
    // Redis keeps windows in whole seconds.
    duration: integerAtLeast(1, 'durationSeconds', limit.durationSeconds),
    blockDuration: integerAtLeast(0, 'blockSeconds', limit.blockSeconds ?? 0),
    keyPrefix: prefix,
  });
  const names = Object.keys(options.limits) as K[];
  const each = (make: (limits: ReturnType<typeof limitsOf>) => Omit<RateLimiter, 'close'>) =>
    Object.fromEntries(names.map((name) => [name, make(limitsOf(options.limits[name]))])) as Record<
      K,
      Omit<RateLimiter, 'close'>
    >;

  if (!options.redisUrl) {
    return {
      limiters: each((limits) => limiterOn(new RateLimiterMemory(limits), undefined, options)),
      close: async () => {},
    };
  }
  let degraded = false;
  let skipRedisUntil = 0;
  const outage = (error?: string) => {
    // One warning per outage, not one per request or reconnect attempt.
    if (!degraded) {
      logger.warn('rate limiter Redis unavailable; limiting per instance', { prefix, error });
    }
    degraded = true;
  };
  const recovered = () => {
    skipRedisUntil = 0;
    if (degraded) logger.info('rate limiter Redis back', { prefix });
    degraded = false;
  };
  const { redis, close } = await connectFailFast({
    url: options.redisUrl,
    commandTimeoutMs,
    onOutage: outage,
    onRecovered: recovered,
    autoPipelining: true,
  });
  const limiters = each((limits) => {
    const local = new InsuranceLimiter(limits, () => {
      skipRedisUntil = Date.now() + REDIS_BACKOFF_MS;
      outage();
    });
    const shared = new RateLimiterRedis({
      ...limits,
      storeClient: redis,
      // Not connected: straight to the in-process limiter, no waiting.
      rejectIfRedisNotReady: true,
      insuranceLimiter: local,
    });
    return limiterOn(shared, local, options, {
      skipping: () => Date.now() < skipRedisUntil,
      answeredByRedis: (res) => {
        if (!local.answered.has(res)) recovered();
      },
    });
  });
  return {
    limiters,
    close: () => close(),
  };
}

function limiterOn(
  limiter: RateLimiterRedis | RateLimiterMemory,
  /** The stand-in behind a Redis limiter. */
  local: InsuranceLimiter | undefined,
  { logger, prefix }: RateLimiterConnectionOptions,
  redis?: { skipping(): boolean; answeredByRedis(res: RateLimiterRes): void },
): Omit<RateLimiter, 'close'> {
  return {
    async consume(key, points = 1) {
      const weight = Math.max(1, Math.ceil(points));
      let res: RateLimiterRes;
      let allowed: boolean;
      try {
        res =
          local && redis?.skipping()
            ? await local.consumeHere(key, weight)
            : await limiter.consume(key, weight);
        allowed = true;
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) {
          // Not a refusal but a failure even of the stand-in: let the request through.
          logger.error('rate limiter failed; request allowed', {
            prefix,
            error: errorMessage(refused),
          });
          return { allowed: true, remaining: 0 };
        }
        res = refused;
        allowed = false;
      }
      redis?.answeredByRedis(res);
      return allowed
        ? { allowed: true, remaining: res.remainingPoints }
        : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    },
    async reset(key) {
      try {
        // Both: what was counted locally during an outage must not refuse the key later.
        await Promise.all([limiter.delete(key), local?.delete(key)]);
      } catch (error) {
        logger.debug('rate limiter reset failed', {
          prefix,
          error: errorMessage(error),
        });
      }
    },
  };
}
