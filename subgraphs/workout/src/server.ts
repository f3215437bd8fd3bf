import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import { EXERCISE_CATALOGUE } from './domain/catalogue-entries';
import type { WorkoutConfig } from './config';
import { createLoaders, type WorkoutContext } from './context';
import { ExerciseRepository } from './data/exercises';
import { PersonalRecordRepository } from './data/personal-records';
import { SessionRepository } from './data/sessions';
import { SetRepository } from './data/sets';
import { StatsRepository } from './data/stats';
import { TemplateRepository } from './data/templates';
import { openWorkoutDatabase } from './db';
import { eraseDeletedUser } from './domain/erasure';
import { createUseCases } from './domain/use-cases';
import { resolvers } from './resolvers';
import { seedDemoWorkouts } from './seed';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type WorkoutOptions = ServiceSettings & Pick<WorkoutConfig, 'JWKS_URL' | 'SEED_DEMO_DATA'>;

export interface WorkoutServer extends ServiceServer {
  /** Whether this start gave the demo member their workouts. */
  seeded: boolean;
}

/**
 * Starts workout: database (migrated, catalogue synchronised), cache, events (outbox and consumer),
 * GraphQL and health.
 */
export function startWorkout(options: WorkoutOptions): Promise<WorkoutServer> {
  return startService(options, {
    name: 'workout',
    typeDefs,
    resolvers,
    openDatabase: openWorkoutDatabase,
    async wire({ prisma, cache, events, logger }) {
      const exercises = new ExerciseRepository(prisma);
      const sessions = new SessionRepository(prisma, events);
      const sets = new SetRepository(prisma);
      const records = new PersonalRecordRepository(prisma);
      const stats = new StatsRepository(prisma);
      const templateRepository = new TemplateRepository(prisma);
      const { catalogue, workouts, templates } = createUseCases({
        exercises,
        sessions,
        sets,
        templates: templateRepository,
        cache,
        logger,
      });
      const written = await catalogue.sync(EXERCISE_CATALOGUE);
      if (written > 0) logger.info('exercise catalogue updated', { exercises: written });
      const seeded = options.SEED_DEMO_DATA
        ? await seedDemoWorkouts({ exercises, sessions, sets, catalogue, templates, logger })
        : false;
      return {
        context: (base): WorkoutContext => ({
          ...base,
          workouts,
          templates,
          catalogue,
          loaders: createLoaders({ catalogue, sessions, sets, records, stats }),
        }),
        eventHandlers: {
          'identity.user.deleted': eraseDeletedUser({
            sessions,
            records,
            templates: templateRepository,
            logger,
          }),
        },
        extra: { seeded },
      };
    },
  });
}
