import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRateLimiter, type RateLimiter } from '@fitnexa/shared/rate-limit';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import {
  DEFAULT_SIGNING_KEY_ROTATION_DAYS,
  DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
  type IdentityConfig,
} from './config';
import { createUserLoader, type IdentityContext } from './context';
import { RefreshTokenRepository } from './data/refresh-tokens';
import { SigningKeyRepository } from './data/signing-keys';
import { UserRepository } from './data/users';
import { openIdentityDatabase } from './db';
import { PrivateKeyCipher } from './domain/key-encryption';
import { SigningKeys, type RotatedKey } from './domain/signing-keys';
import { TokenSigner } from './domain/tokens';
import { createUseCases } from './domain/use-cases';
import { resolvers } from './resolvers';
import { seedDemoAccounts } from './seed';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export const JWKS_PATH = '/.well-known/jwks.json';

/** The JWKS is served from keys loaded at most this long ago (verifiers fetch it rarely). */
const JWKS_MAX_STALENESS_MS = 5_000;

export type IdentityOptions = ServiceSettings &
  Pick<
    IdentityConfig,
    | 'ACCESS_TOKEN_TTL_SECONDS'
    | 'REFRESH_TOKEN_TTL_DAYS'
    | 'SEED_DEMO_DATA'
    | 'LOGIN_MAX_FAILURES'
    | 'LOGIN_LOCKOUT_SECONDS'
  > &
  // Optional for callers that build options by hand (tests): the config's defaults apply.
  Partial<Pick<IdentityConfig, 'SIGNING_KEY_ENCRYPTION_KEY' | 'SIGNING_KEY_ROTATION_DAYS'>>;

export interface IdentityServer extends ServiceServer {
  jwksUrl: string;
  seeded: boolean;
  /** Rotation (`rotate`), and `maintain`/`reload` as the minute's check runs them. */
  signingKeys: SigningKeys;
}

/** Starts identity: database (migrated), signing keys, GraphQL, JWKS and health. */
export async function startIdentity(options: IdentityOptions): Promise<IdentityServer> {
  // Sign-in attempts, counted on Redis across instances (in-process without REDIS_URL). The
  // service's stop has no hook for it, so it is opened first and closed after the server.
  const loginAttempts = await createRateLimiter({
    redisUrl: options.REDIS_URL,
    prefix: `${options.schema ?? 'fitnexa_identity'}:login-attempts`,
    points: options.LOGIN_MAX_FAILURES,
    durationSeconds: options.LOGIN_LOCKOUT_SECONDS,
    blockSeconds: options.LOGIN_LOCKOUT_SECONDS,
    logger: options.logger,
  });
  let server: Awaited<ReturnType<typeof startIdentityService>>;
  try {
    server = await startIdentityService(options, loginAttempts);
  } catch (error) {
    await loginAttempts.close();
    throw error;
  }
  server.signingKeys.schedule();
  let stopping: Promise<void> | undefined;
  return {
    ...server,
    jwksUrl: server.url.replace(/\/graphql$/, JWKS_PATH),
    stop: () =>
      (stopping ??= server.signingKeys
        .stop()
        .then(() => server.stop())
        .finally(() => loginAttempts.close())),
  };
}

function startIdentityService(options: IdentityOptions, loginAttempts: RateLimiter) {
  return startService(options, {
    name: 'identity',
    typeDefs,
    resolvers,
    openDatabase: openIdentityDatabase,
    async wire({ prisma, events, revocations, logger }) {
      const users = new UserRepository(prisma, events);
      const seeded = options.SEED_DEMO_DATA ? await seedDemoAccounts(users, logger) : false;
      const signingKeys = await SigningKeys.open({
        repository: new SigningKeyRepository(prisma),
        cipher: PrivateKeyCipher.fromConfig(
          options.SIGNING_KEY_ENCRYPTION_KEY ?? DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
        ),
        accessTokenTtlSeconds: options.ACCESS_TOKEN_TTL_SECONDS,
        rotationDays: options.SIGNING_KEY_ROTATION_DAYS ?? DEFAULT_SIGNING_KEY_ROTATION_DAYS,
        logger,
      });
      const signer = await TokenSigner.load(signingKeys, options.ACCESS_TOKEN_TTL_SECONDS);
      const useCases = createUseCases({
        users,
        refreshTokens: new RefreshTokenRepository(prisma),
        signer,
        refreshTokenTtlDays: options.REFRESH_TOKEN_TTL_DAYS,
        loginAttempts,
        revocations,
        logger,
      });
      return {
        context: (base): IdentityContext => ({
          ...base,
          ...useCases,
          userById: createUserLoader(users),
        }),
        // Tokens are verified with the key identity signs them with, not fetched from itself.
        verifyAccessToken: signer.verify,
        routes: (app) => {
          app.get(JWKS_PATH, async (_req, res) => {
            await signingKeys.reloadIfOlderThan(JWKS_MAX_STALENESS_MS);
            res.setHeader('cache-control', 'public, max-age=300');
            res.json(signer.jwks);
          });
        },
        extra: { seeded, signingKeys },
      };
    },
  });
}

export type RotationOptions = Pick<
  IdentityOptions,
  | 'DATABASE_URL'
  | 'DATABASE_ROLE_PASSWORD'
  | 'DATA_DIR'
  | 'schema'
  | 'logger'
  | 'ACCESS_TOKEN_TTL_SECONDS'
  | 'SIGNING_KEY_ENCRYPTION_KEY'
> & {
  /** Sign with the new key at once instead of after the publication lead (a suspected leak). */
  immediately?: boolean;
};

/**
 * `npm run keys:rotate`: a new signing key on identity's database, without the service. Running
 * instances load it within a minute, before it signs (unless `immediately`).
 */
export async function rotateSigningKey(options: RotationOptions): Promise<RotatedKey> {
  const database = await openIdentityDatabase({
    url: options.DATABASE_URL,
    rolePassword: options.DATABASE_ROLE_PASSWORD,
    dataDir: options.DATA_DIR,
    schema: options.schema,
    logger: options.logger,
  });
  try {
    const keys = await SigningKeys.open({
      repository: new SigningKeyRepository(database.prisma),
      cipher: PrivateKeyCipher.fromConfig(
        options.SIGNING_KEY_ENCRYPTION_KEY ?? DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
      ),
      accessTokenTtlSeconds: options.ACCESS_TOKEN_TTL_SECONDS,
      // Scheduled rotation is the running service's business; this is an explicit one.
      rotationDays: 0,
      logger: options.logger,
    });
    return await keys.rotate({ immediately: options.immediately });
  } finally {
    await database.close();
  }
}
