import {
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
  PORT: port.default(4006),
  /** Where identity publishes the keys access tokens are verified with. */
  JWKS_URL: jwksUrl,
  /**
   * MongoDB for the logs (database from the path, default `fitnexa_logs`); absent means an
   * in-process, memory-only stand-in (the embedded default and tests).
   */
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URL')
    .optional(),
  /** Where identity's token revocations are read (see @fitnexa/shared/auth/revocations). */
  REDIS_URL: url.optional(),
  /** Days a log entry is kept: MongoDB removes older ones (TTL index). */
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
});

export type ObservabilityConfig = z.infer<typeof schema>;

export function loadObservabilityConfig(
  env: Record<string, string | undefined> = process.env,
): ObservabilityConfig {
  return loadConfig('observability', schema.refine(...serviceSecretSetInProduction), env);
}
