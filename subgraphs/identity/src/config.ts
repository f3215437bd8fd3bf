import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '@fitnexa/shared/auth';
import { loadConfig, port, subgraphConfigSchema, z } from '@fitnexa/shared/config';

const schema = subgraphConfigSchema({
  PORT: port.default(4001),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(MAX_ACCESS_TOKEN_TTL_SECONDS)
    .default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Create the demo accounts when the database has no users (the embedded default does). */
  SEED_DEMO_DATA: z.stringbool().default(false),
  /** Wrong passwords for one email before its sign-ins are refused (checked or not)... */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** ...for this long; counted on REDIS_URL, so across every identity instance. */
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
});

export type IdentityConfig = z.infer<typeof schema>;

export function loadIdentityConfig(
  env: Record<string, string | undefined> = process.env,
): IdentityConfig {
  return loadConfig('identity', schema, env);
}
