import { z } from 'zod';
import {
  DEVELOPMENT_SERVICE_TOKEN_SECRET,
  MIN_SERVICE_TOKEN_SECRET_LENGTH,
} from '../auth/service-tokens';

export { z };

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Validates the environment against a schema once, at start. Config modules are the only
 * place that reads `process.env`; everything else is handed a typed config object.
 */
export function loadConfig<TSchema extends z.ZodType>(
  service: string,
  schema: TSchema,
  env: Env,
): z.infer<TSchema> {
  // Empty variables mean "not set", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

export const logLevel = z.enum(['error', 'warn', 'info', 'http', 'debug']);
export const port = z.coerce.number().int().min(0).max(65535);
export const url = z.url();

/** Settings every FitNexa server reads. */
export const serverEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: logLevel.default('info'),
  HOST: z.string().default('127.0.0.1'),
  /**
   * `/metrics` on a port of its own, off the public one; unset: on the public port, except under
   * NODE_ENV=production, where it defaults to DEFAULT_METRICS_PORT (see `metricsPortOf`).
   */
  METRICS_PORT: port.optional(),
  /**
   * On SIGTERM, how long the server keeps serving with `/health/ready` 503 before it closes its
   * listeners: long enough for a load balancer to notice (HAProxy: `inter` × `fall`). Kubernetes'
   * preStop sleep plays that role there, so 0 (close at once) by default. docs/operations.md.
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** RabbitMQ for events and logs; absent means an in-process bus (the embedded default). */
  RABBITMQ_URL: z
    .string()
    .regex(/^amqps?:\/\//, 'an amqp:// or amqps:// URL')
    .optional(),
  /**
   * The secret every FitNexa service shares to sign and check service credentials (the gateway's
   * calls to the subgraphs); a public development default that production refuses.
   */
  SERVICE_TOKEN_SECRET: z
    .string()
    .min(MIN_SERVICE_TOKEN_SECRET_LENGTH)
    .default(DEVELOPMENT_SERVICE_TOKEN_SECRET),
};

/** Prometheus' conventional port for an exporter; production's METRICS_PORT by default. */
export const DEFAULT_METRICS_PORT = 9464;

/** METRICS_PORT, or its default for NODE_ENV: its own port in production, the public one elsewhere. */
export function metricsPortOf(config: {
  NODE_ENV?: string;
  METRICS_PORT?: number;
}): number | undefined {
  return (
    config.METRICS_PORT ?? (config.NODE_ENV === 'production' ? DEFAULT_METRICS_PORT : undefined)
  );
}

type ServerBaseConfig = z.infer<z.ZodObject<typeof serverEnv>>;

/** Refuses production with the public development SERVICE_TOKEN_SECRET (add it with `.refine`). */
export const serviceSecretSetInProduction: [
  (parsed: unknown) => boolean,
  { message: string; path: string[] },
] = [
  (parsed: unknown) => {
    // The generic object type hides the base keys that every such schema has.
    const env = parsed as ServerBaseConfig;
    return (
      env.NODE_ENV !== 'production' || env.SERVICE_TOKEN_SECRET !== DEVELOPMENT_SERVICE_TOKEN_SECRET
    );
  },
  {
    message: 'SERVICE_TOKEN_SECRET is required in production (the development default is public)',
    path: ['SERVICE_TOKEN_SECRET'],
  },
];

/** Settings every subgraph reads, on top of `serverEnv`. */
export const subgraphEnv = {
  ...serverEnv,
  /** A PostgreSQL server; absent means the embedded stand-in (PGlite) under DATA_DIR. */
  DATABASE_URL: url.optional(),
  /** Password of the service's own database role (created on first start when DATABASE_URL may create roles). */
  DATABASE_ROLE_PASSWORD: z.string().min(1).optional(),
  DATA_DIR: z.string().default('.data'),
  /**
   * Provision the database role and apply pending migrations at start; when off, the service only
   * refuses a database with pending ones and `node dist/migrate.js` (a Job, an init container)
   * applies them. Unset: on, except in production.
   */
  MIGRATE_ON_START: z.stringbool().optional(),
  /** A Redis server for caching; absent means an in-process cache. */
  REDIS_URL: url.optional(),
};

/** Where identity publishes the keys that access tokens are verified with. */
export const jwksUrl = url.default('http://127.0.0.1:4001/.well-known/jwks.json');

type SubgraphBaseConfig = z.infer<z.ZodObject<typeof subgraphEnv>>;

/**
 * A subgraph's config schema: `subgraphEnv` plus the service's own settings, refusing to run in
 * production on PostgreSQL with the role's default password or with the development
 * SERVICE_TOKEN_SECRET.
 */
export function subgraphConfigSchema<Shape extends z.ZodRawShape>(shape: Shape) {
  const schema = z
    .object({ ...subgraphEnv, ...shape })
    .transform((env) => {
      // The generic object type hides the base keys that every such schema has.
      const base = env as unknown as SubgraphBaseConfig;
      return { ...env, MIGRATE_ON_START: base.MIGRATE_ON_START ?? base.NODE_ENV !== 'production' };
    })
    .refine(
      (parsed) => {
        // The generic object type hides the base keys that every such schema has.
        const env = parsed as unknown as SubgraphBaseConfig;
        return env.NODE_ENV !== 'production' || !env.DATABASE_URL || !!env.DATABASE_ROLE_PASSWORD;
      },
      {
        message: 'DATABASE_ROLE_PASSWORD is required in production',
        path: ['DATABASE_ROLE_PASSWORD'],
      },
    );
  return schema.refine(...serviceSecretSetInProduction);
}
