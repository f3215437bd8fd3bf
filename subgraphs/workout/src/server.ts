import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import { createCache, type Cache } from '@fitnexa/shared/cache';
import type { Logger } from '@fitnexa/shared/logger';
import { startSubgraph, type RunningServer } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import { EXERCISE_CATALOGUE } from './catalogue';
import type { WorkoutConfig } from './config';
import { createLoaders, type WorkoutContext } from './context';
import { ExerciseRepository } from './data/exercises';
import { PersonalRecordRepository } from './data/personal-records';
import { SessionRepository } from './data/sessions';
import { SetRepository } from './data/sets';
import { StatsRepository } from './data/stats';
import { TemplateRepository } from './data/templates';
import { openWorkoutDatabase } from './db';
import { ExerciseCatalogue } from './domain/catalogue';
import { Templates } from './domain/templates';
import { Workouts } from './domain/workouts';
import { resolvers } from './resolvers';
import { seedDemoWorkouts } from './seed';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type WorkoutOptions = Pick<
  WorkoutConfig,
  | 'PORT'
  | 'HOST'
  | 'DATABASE_URL'
  | 'DATABASE_ROLE_PASSWORD'
  | 'DATA_DIR'
  | 'REDIS_URL'
  | 'JWKS_URL'
  | 'SEED_DEMO_DATA'
> & {
  /** Another schema (and role) than fitnexa_workout: tests run side by side in one database. */
  schema?: string;
  logger: Logger;
  /** Verifies access tokens some other way than against JWKS_URL (tests sign their own). */
  verifyAccessToken?: AccessTokenVerifier;
};

export interface WorkoutServer extends RunningServer {
  /** Whether this start gave the demo member their workouts. */
  seeded: boolean;
}

/** Starts workout: database (migrated, catalogue synchronised), cache, GraphQL and health. */
export async function startWorkout(options: WorkoutOptions): Promise<WorkoutServer> {
  const { logger } = options;
  const database = await openWorkoutDatabase({
    url: options.DATABASE_URL,
    rolePassword: options.DATABASE_ROLE_PASSWORD,
    dataDir: options.DATA_DIR,
    schema: options.schema,
    logger,
  });
  let cache: Cache | undefined;
  try {
    // Keys carry the schema's name, so test runs sharing a Redis never read each other's entries.
    cache = await createCache({ url: options.REDIS_URL, prefix: database.db.schema, logger });
    const exercises = new ExerciseRepository(database.prisma);
    const sessions = new SessionRepository(database.prisma);
    const sets = new SetRepository(database.prisma);
    const records = new PersonalRecordRepository(database.prisma);
    const stats = new StatsRepository(database.prisma);
    const catalogue = new ExerciseCatalogue(exercises, cache);
    const written = await catalogue.sync(EXERCISE_CATALOGUE);
    if (written > 0) logger.info('exercise catalogue updated', { exercises: written });
    const workouts = new Workouts({ sessions, sets, catalogue, logger });
    const templates = new Templates(new TemplateRepository(database.prisma), catalogue);
    const seeded = options.SEED_DEMO_DATA
      ? await seedDemoWorkouts({ exercises, sessions, sets, catalogue, templates, logger })
      : false;
    const openCache = cache;
    const server = await startSubgraph<WorkoutContext>({
      name: 'workout',
      typeDefs,
      resolvers,
      logger,
      port: options.PORT,
      host: options.HOST,
      verifyAccessToken:
        options.verifyAccessToken ?? createAccessTokenVerifier({ jwksUrl: options.JWKS_URL }),
      readiness: { database: database.db.ping },
      degradable: { cache: openCache.ping },
      context: (base) => ({
        ...base,
        workouts,
        templates,
        catalogue,
        loaders: createLoaders({ catalogue, sessions, sets, records, stats }),
      }),
      onStop: async () => {
        await openCache.close();
        await database.close();
      },
    });
    return { ...server, seeded };
  } catch (error) {
    await cache?.close();
    await database.close();
    throw error;
  }
}
