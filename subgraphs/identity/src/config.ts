import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '@fitnexa/shared/auth';
import { loadConfig, port, subgraphConfigSchema, z } from '@fitnexa/shared/config';

/**
 * Encrypts the signing keys' private halves when none is configured: known to everyone who reads
 * this file, so production refuses it.
 */
export const DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1maXRuZXhhLWtleS0zMmI';

export const DEFAULT_SIGNING_KEY_ROTATION_DAYS = 30;

/** 32 random bytes in base64 or base64url, e.g. `openssl rand -base64 32`. */
const encryptionKey = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]{43}=?$/, '32 bytes in base64 (openssl rand -base64 32)');

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
  /** Encrypts the stored private signing keys (AES-256-GCM); required in production. */
  SIGNING_KEY_ENCRYPTION_KEY: encryptionKey.default(DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY),
  /** A new signing key once the newest is this old (0: only `npm run keys:rotate`). */
  SIGNING_KEY_ROTATION_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(DEFAULT_SIGNING_KEY_ROTATION_DAYS),
}).refine(
  (env) =>
    env.NODE_ENV !== 'production' ||
    env.SIGNING_KEY_ENCRYPTION_KEY !== DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
  {
    message: 'SIGNING_KEY_ENCRYPTION_KEY is required in production (not the development default)',
    path: ['SIGNING_KEY_ENCRYPTION_KEY'],
  },
);

export type IdentityConfig = z.infer<typeof schema>;

export function loadIdentityConfig(
  env: Record<string, string | undefined> = process.env,
): IdentityConfig {
  return loadConfig('identity', schema, env);
}

const adminAccountSchema = z.object({
  ADMIN_EMAIL: z.string(),
  /** Only for a new account: an existing one is promoted and keeps its password. */
  ADMIN_PASSWORD: z.string().optional(),
  ADMIN_DISPLAY_NAME: z.string().default('Administrator'),
});

export type AdminAccountConfig = z.infer<typeof adminAccountSchema>;

/** The account `create-admin` makes an administrator (on top of identity's own config). */
export function loadAdminAccountConfig(
  env: Record<string, string | undefined> = process.env,
): AdminAccountConfig {
  return loadConfig('identity create-admin', adminAccountSchema, env);
}
