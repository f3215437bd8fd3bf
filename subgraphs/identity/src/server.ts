import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRateLimiter, type RateLimiter } from '@fitnexa/shared/rate-limit';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import type { IdentityConfig } from './config';
import { createUserLoader, type IdentityContext } from './context';
import { RefreshTokenRepository } from './data/refresh-tokens';
import { SigningKeyRepository } from './data/signing-keys';
import { UserRepository } from './data/users';
import { openIdentityDatabase } from './db';
import { Accounts } from './domain/accounts';
import { TokenSigner } from './domain/tokens';
import { resolvers } from './resolvers';
import { seedDemoAccounts } from './seed';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export const JWKS_PATH = '/.well-known/jwks.json';

export type IdentityOptions = ServiceSettings &
  Pick<
    IdentityConfig,
    | 'ACCESS_TOKEN_TTL_SECONDS'
    | 'REFRESH_TOKEN_TTL_DAYS'
    | 'SEED_DEMO_DATA'
    | 'LOGIN_MAX_FAILURES'
    | 'LOGIN_LOCKOUT_SECONDS'
  >;

export interface IdentityServer extends ServiceServer {
  jwksUrl: string;
  seeded: boolean;
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
  let stopping: Promise<void> | undefined;
  return {
    ...server,
    jwksUrl: server.url.replace(/\/graphql$/, JWKS_PATH),
    stop: () => (stopping ??= server.stop().finally(() => loginAttempts.close())),
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
      const signer = await TokenSigner.load(
        new SigningKeyRepository(prisma),
        options.ACCESS_TOKEN_TTL_SECONDS,
      );
      const accounts = new Accounts({
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
          accounts,
          users,
          userById: createUserLoader(users),
        }),
        // Tokens are verified with the key identity signs them with, not fetched from itself.
        verifyAccessToken: signer.verify,
        routes: (app) => {
          app.get(JWKS_PATH, (_req, res) => {
            res.setHeader('cache-control', 'public, max-age=300');
            res.json(signer.jwks);
          });
        },
        extra: { seeded },
      };
    },
  });
}
