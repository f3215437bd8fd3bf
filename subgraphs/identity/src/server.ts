import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@fitnexa/shared/logger';
import { startSubgraph, type RunningServer } from '@fitnexa/shared/subgraph';
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

export type IdentityOptions = Pick<
  IdentityConfig,
  | 'PORT'
  | 'HOST'
  | 'DATABASE_URL'
  | 'DATABASE_ROLE_PASSWORD'
  | 'DATA_DIR'
  | 'ACCESS_TOKEN_TTL_SECONDS'
  | 'REFRESH_TOKEN_TTL_DAYS'
  | 'SEED_DEMO_DATA'
> & {
  /** Another schema (and role) than fitnexa_identity: tests run side by side in one database. */
  schema?: string;
  logger: Logger;
};

export interface IdentityServer extends RunningServer {
  jwksUrl: string;
  seeded: boolean;
}

/** Starts identity: database (migrated), signing keys, GraphQL, JWKS and health. */
export async function startIdentity(options: IdentityOptions): Promise<IdentityServer> {
  const { logger } = options;
  const database = await openIdentityDatabase({
    url: options.DATABASE_URL,
    rolePassword: options.DATABASE_ROLE_PASSWORD,
    dataDir: options.DATA_DIR,
    schema: options.schema,
    logger,
  });
  try {
    const users = new UserRepository(database.prisma);
    const seeded = options.SEED_DEMO_DATA ? await seedDemoAccounts(users, logger) : false;
    const signer = await TokenSigner.load(
      new SigningKeyRepository(database.prisma),
      options.ACCESS_TOKEN_TTL_SECONDS,
    );
    const accounts = new Accounts({
      users,
      refreshTokens: new RefreshTokenRepository(database.prisma),
      signer,
      refreshTokenTtlDays: options.REFRESH_TOKEN_TTL_DAYS,
      logger,
    });
    const server = await startSubgraph<IdentityContext>({
      name: 'identity',
      typeDefs,
      resolvers,
      logger,
      port: options.PORT,
      host: options.HOST,
      verifyAccessToken: signer.verify,
      readiness: { database: database.db.ping },
      context: (base) => ({ ...base, accounts, users, userById: createUserLoader(users) }),
      routes: (app) => {
        app.get(JWKS_PATH, (_req, res) => {
          res.setHeader('cache-control', 'public, max-age=300');
          res.json(signer.jwks);
        });
      },
      onStop: database.close,
    });
    return { ...server, jwksUrl: server.url.replace(/\/graphql$/, JWKS_PATH), seeded };
  } catch (error) {
    await database.close();
    throw error;
  }
}
