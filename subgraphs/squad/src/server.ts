import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import type { SquadConfig } from './config';
import { createLoaders, type SquadContext } from './context';
import type { SquadRepositories } from './data/repositories';
import { ActivityRepository } from './data/activities';
import { ChallengeRepository } from './data/challenges';
import { InvitationRepository } from './data/invitations';
import { JoinRequestRepository } from './data/join-requests';
import { MemberRepository } from './data/members';
import { ProgressRepository } from './data/progress';
import { SquadRepository } from './data/squads';
import { openSquadDatabase } from './db';
import { squadEventHandlers } from './domain/events';
import { LiveUpdates } from './domain/realtime';
import type { ChallengeProgress } from './domain/progress';
import { createUseCases } from './domain/use-cases';
import { resolvers } from './resolvers';
import { seedDemoSquad } from './seed';
import { registerSquadSockets } from './sockets';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type SquadOptions = ServiceSettings & Pick<SquadConfig, 'JWKS_URL' | 'SEED_DEMO_DATA'>;

export interface SquadServer extends ServiceServer {
  /** Whether this start seeded the demo squad. */
  seeded: boolean;
  /** Records what members did towards their challenges (what the event handlers use). */
  progress: ChallengeProgress;
}

/** Starts squad: database (migrated), GraphQL with subscriptions, socket.io and health. */
export function startSquad(options: SquadOptions): Promise<SquadServer> {
  return startService(options, {
    name: 'squad',
    typeDefs,
    resolvers,
    openDatabase: openSquadDatabase,
    // messaging asks squad whether a user is a member of a squad (its group chat).
    callers: ['messaging'],
    realtime: true,
    async wire({ prisma, hub, events, logger }) {
      const repositories: SquadRepositories = {
        squads: new SquadRepository(prisma, events),
        members: new MemberRepository(prisma, events),
        joinRequests: new JoinRequestRepository(prisma),
        invitations: new InvitationRepository(prisma),
        challenges: new ChallengeRepository(prisma),
        progress: new ProgressRepository(prisma),
        activities: new ActivityRepository(prisma),
      };
      const live = new LiveUpdates(hub);
      const seeded = options.SEED_DEMO_DATA
        ? await seedDemoSquad({ repositories, live, logger })
        : false;
      const useCases = createUseCases({ repositories, live });
      return {
        context: (base): SquadContext => ({
          ...base,
          ...useCases,
          loaders: createLoaders(repositories),
        }),
        sockets: (io) => registerSquadSockets(io, { squads: useCases.squads, hub, logger }),
        extra: { seeded, progress: useCases.progress },
        eventHandlers: squadEventHandlers({
          repositories,
          progress: useCases.progress,
          live: useCases.live,
        }),
      };
    },
  });
}
