import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceTokenIssuer } from '@fitnexa/shared/auth';
import { startService, type ServiceServer, type ServiceSettings } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import type { MessagingConfig } from './config';
import { createLoaders, type MessagingContext } from './context';
import type { MessagingRepositories } from './data/repositories';
import { ConversationRepository } from './data/conversations';
import { MessageRepository } from './data/messages';
import { ParticipantRepository } from './data/participants';
import { HttpSquadMembership, type SquadMembership } from './data/squad-membership';
import { openMessagingDatabase } from './db';
import { messagingEventHandlers } from './domain/events';
import { createUseCases } from './domain/use-cases';
import { resolvers } from './resolvers';
import { seedDemoConversation } from './seed';
import { registerChat } from './sockets';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

export type MessagingOptions = ServiceSettings &
  Pick<MessagingConfig, 'JWKS_URL' | 'SEED_DEMO_DATA' | 'SQUAD_URL'> & {
    /** Answers squad membership some other way than asking squad at SQUAD_URL (tests fake it). */
    squadMembership?: SquadMembership;
  };

export interface MessagingServer extends ServiceServer {
  /** Whether this start seeded the demo conversation. */
  seeded: boolean;
}

/**
 * Starts messaging: database (migrated), cache, event hub, GraphQL with subscriptions (graphql-ws)
 * and socket.io's `/chat`, and health.
 */
export function startMessaging(options: MessagingOptions): Promise<MessagingServer> {
  return startService(options, {
    name: 'messaging',
    typeDefs,
    resolvers,
    openDatabase: openMessagingDatabase,
    realtime: true,
    async wire({ prisma, hub, logger }) {
      const repositories: MessagingRepositories = {
        conversations: new ConversationRepository(prisma),
        participants: new ParticipantRepository(prisma),
        messages: new MessageRepository(prisma),
      };
      const squadMembership =
        options.squadMembership ??
        new HttpSquadMembership(
          options.SQUAD_URL,
          createServiceTokenIssuer({ secret: options.SERVICE_TOKEN_SECRET, issuer: 'messaging' }),
        );
      const seeded = options.SEED_DEMO_DATA
        ? await seedDemoConversation({ repositories, squadMembership, hub, logger })
        : false;
      const useCases = createUseCases({ repositories, squadMembership, hub });
      return {
        context: (base): MessagingContext => ({
          ...base,
          ...useCases,
          loaders: createLoaders(repositories),
        }),
        sockets: (io) => registerChat(io, useCases, logger),
        extra: { seeded },
        eventHandlers: messagingEventHandlers({ repositories, hub }),
      };
    },
  });
}
