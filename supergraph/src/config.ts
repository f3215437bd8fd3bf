import { join } from 'node:path';
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
  JWKS_URL: jwksUrl,
  /** Redis for persisted queries (and rate limits) shared across gateway instances. */
  REDIS_URL: url.optional(),
  /** Requests a minute per client IP and per signed-in user; 0 turns that limit off. */
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_PER_USER_PER_MINUTE: z.coerce.number().int().min(0).default(600),
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
};

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
  return { ...config, subgraphUrls, rateLimits: rateLimitsOf(config) };
}
