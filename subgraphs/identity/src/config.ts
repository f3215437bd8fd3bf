import { loadConfig, port, subgraphEnv, z } from '@fitnexa/shared/config';

const schema = z
  .object({
    ...subgraphEnv,
    PORT: port.default(4001),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Create the demo accounts when the database has no users (the embedded default does). */
    SEED_DEMO_DATA: z.stringbool().default(false),
  })
  .refine(
    (env) => env.NODE_ENV !== 'production' || !env.DATABASE_URL || env.DATABASE_ROLE_PASSWORD,
    {
      message: 'DATABASE_ROLE_PASSWORD is required in production',
      path: ['DATABASE_ROLE_PASSWORD'],
    },
  );

export type IdentityConfig = z.infer<typeof schema>;

export function loadIdentityConfig(
  env: Record<string, string | undefined> = process.env,
): IdentityConfig {
  return loadConfig('identity', schema, env);
}
