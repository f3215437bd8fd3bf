import { join } from 'node:path';
import { corsOriginsFor } from './plugins/cors';
import type { GatewayOptions } from './server';
import {
  ConfigError,
  jwksUrl,
  loadConfig,
  port,
  serverEnv,
  serviceSecretSetInProduction,
  url,
  z,
} from '@fitnexa/shared/config';

const schema = z.object({
  ...serverEnv,
  PORT: port.default(3000),
  /** Any composed supergraph file; the gateway fronts whatever graph it names. */
  SUPERGRAPH_PATH: z.string().default(join(__dirname, '..', '..', 'schema', 'supergraph.graphql')),
  /** Where to read the supergraph instead of SUPERGRAPH_PATH (a registry, an object store). */
  SUPERGRAPH_URL: url.optional(),
  /** How often the supergraph (file or URL) is read again for a change; 0: never. */
  SUPERGRAPH_POLL_SECONDS: z.coerce.number().min(0).default(5),
  /**
   * Subgraphs without which the gateway is not ready, comma-separated; unset: all but
   * observability. The others down leave it ready, `degraded` naming them.
   */
  CRITICAL_SUBGRAPHS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  /**
   * How long a critical subgraph that answered ready may fail its checks before the gateway's
   * readiness turns 503 (degraded meanwhile). docs/decisions/0026.
   */
  CRITICAL_SUBGRAPH_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  JWKS_URL: jwksUrl,
  /** Redis for persisted queries (and rate limits) shared across gateway instances. */
  REDIS_URL: url.optional(),
  /** Requests a minute per client IP and per signed-in user; 0 turns that limit off. */
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_PER_USER_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** The in-process cache (persisted queries, cached responses) without REDIS_URL, in MiB. */
  MEMORY_CACHE_MAX_MB: z.coerce.number().positive().default(64),
  /** The largest subgraph response the gateway reads, in MiB (SUBGRAPH_RESPONSE_TOO_LARGE past it). */
  SUBGRAPH_RESPONSE_MAX_MB: z.coerce.number().positive().default(32),
  /**
   * Identical subgraph queries (same document, variables and caller) in flight at once share one
   * request; false sends each (to compare execution alone, e.g. in npm run bench:gateway).
   */
  SUBGRAPH_DEDUPLICATION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Identical queries of one caller (same token, document, operation and variables) in flight at
   * once are executed once (decision 0035); false executes each (to compare execution alone).
   */
  QUERY_DEDUPLICATION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * An operation's entity fetches to one subgraph that start together go out as one request
   * (docs/decisions/0030); false sends each as Apollo plans it (to compare, or to rule it out).
   */
  ENTITY_BATCHING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** graphql-ws: subscriptions on one connection (BAD_REQUEST past it). */
  WS_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(100),
  /** graphql-ws connections per signed-in user and per client IP (closed with 4029 past them). */
  WS_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  WS_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(100),
  /** A client that lets this much (MiB) pile up unread is dropped with 4013. */
  WS_MAX_BUFFERED_MB: z.coerce.number().positive().default(4),
  /**
   * Browser origins allowed cross-origin, comma-separated (`https://app.fitnexa.com,…`): each a
   * scheme, host and port only. Unset: local web dev servers, none in production.
   */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.string().refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
            message: 'Not an origin (scheme://host[:port], no path or trailing slash)',
          }),
        )
        .optional(),
    ),
  /** GraphiQL at /explorer, served from npm (no CDN); unset: on outside production, off in it. */
  EXPLORER: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  /** The status page at /status (readiness, latency, degraded dependencies); unset: as EXPLORER's default. */
  STATUS_PAGE: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  /** express's 'trust proxy' ("1", "loopback, 10.0.0.0/8"): set behind a load balancer. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined || value === 'false'
        ? false
        : value === 'true'
          ? true
          : /^\d+$/.test(value)
            ? Number(value)
            : value,
    ),
});

export type GatewayConfig = z.infer<typeof schema> & {
  /** Routing URL overrides by subgraph name, from SUBGRAPH_URL_<NAME>. */
  subgraphUrls: Record<string, string>;
  rateLimits: GatewayOptions['rateLimits'];
  /** CORS_ORIGINS, or the defaults for NODE_ENV. */
  corsOrigins: string[];
  /** EXPLORER, or its default for NODE_ENV. */
  explorer: boolean;
  /** STATUS_PAGE, or its default for NODE_ENV. */
  statusPage: boolean;
  /** The bounds above in the units startGateway takes. */
  bounds: Pick<
    GatewayOptions,
    | 'memoryCacheMaxBytes'
    | 'maxSubgraphResponseBytes'
    | 'subgraphDeduplication'
    | 'queryDeduplication'
    | 'entityBatching'
    | 'subscriptions'
  >;
};

const MIB = 1024 * 1024;

function boundsOf(config: z.infer<typeof schema>): GatewayConfig['bounds'] {
  return {
    memoryCacheMaxBytes: Math.round(config.MEMORY_CACHE_MAX_MB * MIB),
    maxSubgraphResponseBytes: Math.round(config.SUBGRAPH_RESPONSE_MAX_MB * MIB),
    subgraphDeduplication: config.SUBGRAPH_DEDUPLICATION,
    queryDeduplication: config.QUERY_DEDUPLICATION,
    entityBatching: config.ENTITY_BATCHING,
    subscriptions: {
      maxSubscriptionsPerConnection: config.WS_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerUser: config.WS_CONNECTIONS_PER_USER,
      maxConnectionsPerIp: config.WS_CONNECTIONS_PER_IP,
      maxBufferedBytes: Math.round(config.WS_MAX_BUFFERED_MB * MIB),
    },
  };
}

// A limit of 0 is no limit: a budget too large to reach.
const perMinute = (points: number) => ({
  points: points || Number.MAX_SAFE_INTEGER,
  durationSeconds: 60,
});

function rateLimitsOf(config: z.infer<typeof schema>): GatewayOptions['rateLimits'] {
  const { RATE_LIMIT_PER_IP_PER_MINUTE: perIp, RATE_LIMIT_PER_USER_PER_MINUTE: perUser } = config;
  if (!perIp && !perUser) return false;
  return { perIp: perMinute(perIp), perUser: perMinute(perUser) };
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const config = loadConfig('gateway', schema.refine(...serviceSecretSetInProduction), env);
  const subgraphUrls = Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.startsWith('SUBGRAPH_URL_') && value)
      .map(([key, value]) => [key.slice('SUBGRAPH_URL_'.length).toLowerCase(), value as string]),
  );
  const invalid = Object.entries(subgraphUrls).filter(([, value]) => !url.safeParse(value).success);
  if (invalid.length) {
    throw new ConfigError(
      'gateway',
      invalid.map(([name]) => `SUBGRAPH_URL_${name.toUpperCase()}: Invalid URL`),
    );
  }
  return {
    ...config,
    subgraphUrls,
    rateLimits: rateLimitsOf(config),
    corsOrigins: corsOriginsFor(config.NODE_ENV === 'production', config.CORS_ORIGINS),
    explorer: config.EXPLORER ?? config.NODE_ENV !== 'production',
    statusPage: config.STATUS_PAGE ?? config.NODE_ENV !== 'production',
    bounds: boundsOf(config),
  };
}

/**
 * `@apollo/gateway` reports usage to Apollo every hour unless APOLLO_TELEMETRY_DISABLED is set,
 * looking up cloud metadata addresses at every start (it reads the variable itself, when the
 * gateway is constructed). Ours sends nothing out of its own network: off unless an operator sets
 * the variable.
 */
export function withoutApolloDataCollection(env: Record<string, string | undefined> = process.env) {
  env.APOLLO_TELEMETRY_DISABLED ??= 'true';
}
