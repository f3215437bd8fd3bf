import { isIPv6 } from 'node:net';
import { ErrorCode, RateLimitedError, errorMessage } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import { correlationIdOf } from '@fitnexa/shared/middleware';
import {
  createRateLimiters,
  type RateLimit,
  type RateLimitDecision,
} from '@fitnexa/shared/rate-limit';
import type { Request, RequestHandler } from 'express';

/** Requests per minute: per client address, and per signed-in user whatever address they use. */
export const GATEWAY_RATE_LIMITS = {
  perIp: { points: 300, durationSeconds: 60 },
  perUser: { points: 600, durationSeconds: 60 },
} as const satisfies Record<string, RateLimit>;

export interface GatewayRateLimitOptions {
  /** Redis shared by every gateway instance; absent means each instance counts on its own. */
  redisUrl?: string;
  perIp: RateLimit;
  perUser: RateLimit;
  logger: Logger;
  /** The request's verified user, or null when it carries no token; may throw on a bad one. */
  principalOf(req: Request): Promise<{ userId: string } | null>;
  /** Where the counts live in Redis (tests pass their own). */
  prefix?: string;
}

/** The middleware, and `close` for the gateway's stop. */
export type GatewayRateLimit = RequestHandler & { close(): Promise<void> };

/**
 * Limits GraphQL requests (GET and POST) per client IP and, with a valid bearer token, per user.
 * A refused request is answered 429 with `Retry-After` and a RATE_LIMITED GraphQL error, and
 * goes no further; it counted against both budgets. Mounted after the body parser, each operation
 * of a batch counts.
 * `req.ip` is the client's only with express's `trust proxy` set to the proxies in front.
 */
export async function createGatewayRateLimit(
  options: GatewayRateLimitOptions,
): Promise<GatewayRateLimit> {
  const { logger } = options;
  const prefix = options.prefix ?? 'fitnexa_gateway:rate';
  const {
    limiters: { perIp, perUser },
    close,
  } = await createRateLimiters({
    redisUrl: options.redisUrl,
    prefix,
    logger,
    limits: { perIp: options.perIp, perUser: options.perUser },
  });
  const userOf = async (req: Request) => {
    try {
      return await options.principalOf(req);
    } catch {
      // The gateway refuses a bad token itself; until then it is an anonymous request.
      return null;
    }
  };

  const middleware: RequestHandler = async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    let decisions: RateLimitDecision[];
    try {
      const weight = Array.isArray(req.body) ? Math.max(1, req.body.length) : 1;
      const user = await userOf(req);
      // Asked together, the two counts go to Redis in one write (createRateLimiters).
      decisions = await Promise.all([
        perIp.consume(`ip:${clientAddress(req.ip)}`, weight),
        ...(user ? [perUser.consume(`user:${user.userId}`, weight)] : []),
      ]);
    } catch (error) {
      // The limiters never throw; should anything else, the request goes on unlimited.
      logger.error('rate limit check failed; request allowed', {
        error: errorMessage(error),
        correlationId: correlationIdOf(res),
      });
      return next();
    }
    const waits = decisions.flatMap((decision) =>
      decision.allowed ? [] : [decision.retryAfterSeconds],
    );
    if (waits.length === 0) return next();
    const refused = new RateLimitedError(Math.max(...waits));
    res
      .status(429)
      .set('Retry-After', String(refused.retryAfterSeconds))
      .json({
        errors: [
          {
            message: refused.message,
            extensions: {
              code: ErrorCode.RATE_LIMITED,
              retryAfterSeconds: refused.retryAfterSeconds,
            },
          },
        ],
      });
  };
  return Object.assign(middleware, { close });
}

/**
 * The address a client is counted by: IPv4 as is (IPv4-mapped IPv6 included), IPv6 by its /64,
 * which a single client usually holds whole.
 */
export function clientAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  const address = ip.split('%')[0];
  if (!isIPv6(address)) return ip;
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
  const [head, tail] = address.split('::');
  const first = groups(head);
  const last = groups(tail);
  const all =
    tail === undefined
      ? first
      : [...first, ...Array<string>(8 - first.length - last.length).fill('0'), ...last];
  return `${all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
