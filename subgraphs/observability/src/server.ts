import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import {
  revocationStoreOf,
  refusingRevokedTokens,
  type RevocationStore,
} from '@fitnexa/shared/auth/revocations';
import type { Consumer, MessageBus } from '@fitnexa/shared/bus';
import { LOGS_EXCHANGE, type Logger } from '@fitnexa/shared/logger';
import type { RunningServer } from '@fitnexa/shared/server';
import { startSubgraph } from '@fitnexa/shared/subgraph';
import { parse } from 'graphql';
import type { ObservabilityConfig } from './config';
import type { ObservabilityContext } from './context';
import { LogStore, openLogStore, type OpenLogStore } from './data/log-store';
import { createIngest } from './domain/ingest';
import { Logs } from './domain/logs';
import { resolvers } from './resolvers';

export const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The durable queue every observability instance shares, bound to every key of `logs`. */
export const LOGS_QUEUE = 'observability.logs';

export type ObservabilityOptions = Pick<
  ObservabilityConfig,
  'PORT' | 'HOST' | 'JWKS_URL' | 'MONGODB_URL' | 'LOG_RETENTION_DAYS' | 'SERVICE_TOKEN_SECRET'
> &
  Partial<Pick<ObservabilityConfig, 'NODE_ENV' | 'REDIS_URL' | 'METRICS_PORT'>> & {
    logger: Logger;
    /** Where the logs come from: RabbitMQ, or the in-process bus the services of one process share. */
    bus: MessageBus;
    /** Verifies access tokens some other way than against JWKS_URL (tests sign their own). */
    verifyAccessToken?: AccessTokenVerifier;
    /** The revocations the services of this process share (the caller closes it); else its own. */
    revocations?: RevocationStore;
    /** The prefix of its own revocation store (tests: one per test); production's by default. */
    revocationsPrefix?: string;
  };

export interface ObservabilityServer extends RunningServer {
  /** The store the consumer writes to (tests read the TTL index through it). */
  store: LogStore;
}

/**
 * Starts observability: MongoDB (or the in-process stand-in), the consumer of the `logs`
 * exchange writing every entry into it, and the admins' `logs` query.
 */
export async function startObservability(
  options: ObservabilityOptions,
): Promise<ObservabilityServer> {
  const { logger, bus } = options;
  const mongo: OpenLogStore = await openLogStore({
    url: options.MONGODB_URL,
    retentionDays: options.LOG_RETENTION_DAYS,
    logger,
  });
  const ingest = createIngest(mongo.store, LogStore.retryable);
  let consumer: Consumer | undefined;
  let revocations: RevocationStore | undefined;
  try {
    const store = await revocationStoreOf(options.revocations, {
      url: options.REDIS_URL,
      prefix: options.revocationsPrefix,
      logger,
    });
    revocations = store;
    consumer = await bus.consume(
      {
        queue: LOGS_QUEUE,
        exchange: LOGS_EXCHANGE,
        routingKeys: ['#'],
        deadLetterQueue: `${LOGS_QUEUE}.dead`,
      },
      (message) => ingest.handle(message),
    );
    const logs = new Logs(mongo.store);
    const verifyAccessToken = refusingRevokedTokens(
      options.verifyAccessToken ?? createAccessTokenVerifier({ jwksUrl: options.JWKS_URL }),
      store,
      { logger },
    );
    const server = await startSubgraph<ObservabilityContext>({
      name: 'observability',
      typeDefs,
      resolvers,
      logger,
      port: options.PORT,
      host: options.HOST,
      metricsPort: options.METRICS_PORT,
      production: options.NODE_ENV === 'production',
      verifyAccessToken,
      serviceTokens: { secret: options.SERVICE_TOKEN_SECRET },
      readiness: { mongodb: mongo.ping },
      // Without the broker no new entries arrive, but what is stored can still be read.
      degradable: { bus: () => bus.ping(), revocations: store.ping },
      context: (base): ObservabilityContext => ({ ...base, logs }),
      onStop: async () => {
        ingest.stop();
        await consumer?.cancel();
        await revocations?.close();
        await mongo.close();
      },
    });
    return { ...server, store: mongo.store };
  } catch (error) {
    ingest.stop();
    await consumer?.cancel();
    await revocations?.close();
    await mongo.close();
    throw error;
  }
}
