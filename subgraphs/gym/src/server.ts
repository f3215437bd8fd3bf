import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import type { GymConfig } from './config';
import { createLoaders, type GymContext } from './context';
import type { GymRepositories } from './data/repositories';
import { BookingRepository } from './data/bookings';
import { CheckInRepository } from './data/check-ins';
import { GymClassRepository } from './data/classes';
import { GymRepository } from './data/gyms';
import { MembershipRepository } from './data/memberships';
import { PlanRepository } from './data/plans';
import { openGymDatabase } from './db';
import { eraseDeletedUser } from './domain/erasure';
import { Gyms } from './domain/gyms';
import { createUseCases } from './domain/use-cases';
import { resolvers } from './resolvers';
import { seedDemoGyms } from './seed';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type GymOptions = ServiceSettings & Pick<GymConfig, 'JWKS_URL' | 'SEED_DEMO_DATA'>;

export interface GymServer extends ServiceServer {
  /** Whether this start seeded the demo gyms. */
  seeded: boolean;
}

/** Starts gym: database (migrated), cache, events (outbox and consumer), GraphQL and health. */
export function startGym(options: GymOptions): Promise<GymServer> {
  return startService(options, {
    name: 'gym',
    typeDefs,
    resolvers,
    openDatabase: openGymDatabase,
    async wire({ prisma, cache, events, logger }) {
      const repositories: GymRepositories = {
        gyms: new GymRepository(prisma),
        plans: new PlanRepository(prisma),
        memberships: new MembershipRepository(prisma),
        classes: new GymClassRepository(prisma),
        bookings: new BookingRepository(prisma),
        checkIns: new CheckInRepository(prisma, events),
      };
      const gyms = new Gyms({ gyms: repositories.gyms, plans: repositories.plans, cache });
      const seeded = options.SEED_DEMO_DATA
        ? await seedDemoGyms({ repositories, gyms, logger })
        : false;
      const useCases = createUseCases({ repositories, gyms, logger });
      return {
        context: (base): GymContext => ({
          ...base,
          gyms,
          ...useCases,
          loaders: createLoaders(gyms, repositories),
        }),
        eventHandlers: {
          'identity.user.deleted': eraseDeletedUser({ repositories, logger }),
        },
        extra: { seeded },
      };
    },
  });
}
