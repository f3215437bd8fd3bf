import type { GraphQLResolverMap } from './resolver-map';
import type { Express } from 'express';
import type { DocumentNode } from 'graphql';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../auth';
import {
  revocationStoreOf,
  refusingRevokedTokens,
  type RevocationStore,
} from '../auth/revocations';
import { createMemoryBus, type MessageBus } from '../bus';
import { createCache, type Cache } from '../cache';
import type { DatabaseLocation, PrismaDatabase } from '../db';
import {
  consumeEvents,
  createEventConsumerMetrics,
  createEventOutbox,
  EVENTS_DEAD_LETTER_QUEUE,
  registerEventGauges,
  startOutboxRelay,
  type EventHandlers,
  type EventOutbox,
  type OutboxRelay,
  type SqlTransaction,
  type TransactionalClient,
} from '../events';
import type { Logger } from '../logger/types';
import { createMetrics } from '../middleware';
import { createEventHub, type EventHub, type SocketServer } from '../realtime';
import type { RunningServer } from '../server/serve';
import type { BaseContext } from './context';
import { startSubgraph } from './start-subgraph';

/** What starting any FitNexa subgraph takes: its validated config (or a test's), and a logger. */
export interface ServiceSettings {
  /** production: no introspection, no field suggestions (see startSubgraph). */
  NODE_ENV?: 'development' | 'test' | 'production';
  PORT: number;
  HOST: string;
  /** `/metrics` on this port of its own; absent: on PORT (see metricsEndpoint). */
  METRICS_PORT?: number;
  DATABASE_URL?: string;
  DATABASE_ROLE_PASSWORD?: string;
  DATA_DIR: string;
  /** false: only check that the migration job has migrated the database (see openServiceDatabase). */
  MIGRATE_ON_START?: boolean;
  REDIS_URL?: string;
  /** Signs and checks service credentials: only the gateway (and named peers) may call. */
  SERVICE_TOKEN_SECRET: string;
  /** Where identity publishes its keys; identity itself verifies with its own. */
  JWKS_URL?: string;
  /** Another schema (and role) than `fitnexa_<service>`: tests run side by side in one database. */
  schema?: string;
  logger: Logger;
  /** Verifies access tokens some other way than against JWKS_URL (tests sign their own). */
  verifyAccessToken?: AccessTokenVerifier;
  /**
   * Where events go and come from: RabbitMQ, or the in-process bus the services of one process
   * share. Absent: a bus of the service's own, which nothing else hears.
   */
  bus?: MessageBus;
  /**
   * Where the users' "tokens valid from" instants are (see auth/revocations): the caller's, shared
   * by the services of one process (and closed by the caller). Absent: one of the service's own on
   * REDIS_URL under the production prefix, or in-process without it.
   */
  revocations?: RevocationStore;
  /** The prefix of the service's own revocation store (tests: one per test); production's by default. */
  revocationsPrefix?: string;
}

/** A running service built by startService: its event hub (what real-time subscribers hear) and outbox. */
export interface ServiceServer extends RunningServer {
  hub: EventHub;
  /** Tests drain it to see events published without waiting for a poll. */
  outbox: OutboxRelay;
}

/** A service built on its database and cache (see startService). */
export interface WiredService<TContext extends BaseContext, TExtra extends object> {
  context(base: BaseContext): TContext;
  /** With `realtime`: registers the service's socket.io namespaces and handlers. */
  sockets?(io: SocketServer): void;
  /** identity verifies tokens with the key it signs them with. */
  verifyAccessToken?: AccessTokenVerifier;
  routes?(app: Express): void;
  /** Returned with the running server (e.g. whether demo data was seeded). */
  extra: TExtra;
  /** The events this service consumes, each handled once in its own transaction. */
  eventHandlers?: EventHandlers<never>;
}

export interface ServiceSpec<
  Client extends TransactionalClient<SqlTransaction>,
  TContext extends BaseContext,
  TExtra extends object,
> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  openDatabase(location: DatabaseLocation): Promise<PrismaDatabase<Client>>;
  /** Services other than the gateway that may call this one (squad: messaging). */
  callers?: readonly string[];
  /**
   * Subscriptions (graphql-ws at /graphql) and socket.io (/socket.io), fed by an event hub on
   * Redis (REDIS_URL) or, without it, in this process only.
   */
  realtime?: boolean;
  /** Builds repositories, use cases and demo data on the open database, cache and hub. */
  wire(resources: {
    prisma: Client;
    cache: Cache;
    /** Without `realtime`, an in-process hub that nothing outside the service hears. */
    hub: EventHub;
    /** Records events in the transaction of the change that causes them. */
    events: EventOutbox;
    /** Identity writes revocations to it; every service's token check reads it. */
    revocations: RevocationStore;
    logger: Logger;
  }): Promise<WiredService<TContext, TExtra>>;
}

/**
 * Starts a subgraph that owns a database: opens it (migrated) and the cache (Redis, or in-process
 * without REDIS_URL), wires the service, serves it with startSubgraph, and closes both on stop or
 * when starting fails. The database decides readiness; a cache outage only degrades it.
 */
export async function startService<
  Client extends TransactionalClient<SqlTransaction>,
  TContext extends BaseContext,
  TExtra extends object,
>(
  settings: ServiceSettings,
  spec: ServiceSpec<Client, TContext, TExtra>,
): Promise<ServiceServer & TExtra> {
  const { logger } = settings;
  const database = await spec.openDatabase({
    url: settings.DATABASE_URL,
    rolePassword: settings.DATABASE_ROLE_PASSWORD,
    dataDir: settings.DATA_DIR,
    migrate: settings.MIGRATE_ON_START,
    schema: settings.schema,
    logger,
  });
  // Without a bus of the caller's (the process's), one of the service's own that it closes.
  const bus = settings.bus ?? createMemoryBus();
  const ownsBus = !settings.bus;
  const opened: { close(): Promise<void> }[] = [];
  const closeOpened = async () => {
    for (const resource of opened.reverse()) await resource.close();
    if (ownsBus) await bus.close();
    await database.close();
  };
  try {
    // Keys carry the schema's name, so test runs sharing a Redis never read each other's entries.
    // Side by side: each waits up to 2 s for a Redis that is away.
    const [cache, revocations] = await Promise.all([
      createCache({ url: settings.REDIS_URL, prefix: database.db.schema, logger }),
      revocationStoreOf(settings.revocations, {
        url: settings.REDIS_URL,
        prefix: settings.revocationsPrefix,
        logger,
      }),
    ]);
    opened.push(cache, revocations);
    const hub = await createEventHub({
      url: spec.realtime ? settings.REDIS_URL : undefined,
      channel: `${database.db.schema}:realtime`,
      logger,
    });
    opened.push(hub);
    const metrics = createMetrics(spec.name);
    const relay = startOutboxRelay({
      prisma: database.prisma,
      hasPending: async () =>
        (
          await database.db.sql.query(
            'SELECT 1 FROM "OutboxEvent" WHERE "publishedAt" IS NULL LIMIT 1',
          )
        ).length > 0,
      bus,
      source: spec.name,
      logger,
    });
    opened.push({ close: () => relay.stop() });
    const events = createEventOutbox(spec.name, relay.wake);
    const service = await spec.wire({
      prisma: database.prisma,
      cache,
      hub,
      events,
      revocations,
      logger,
    });
    registerEventGauges(metrics.registry, {
      backlog: async () => {
        const [row] = await database.db.sql.query<{ pending: number; age: number }>(
          `SELECT count(*)::int AS "pending",
                  coalesce(extract(epoch FROM now() - min("occurredAt")), 0)::float8 AS "age"
           FROM "OutboxEvent" WHERE "publishedAt" IS NULL`,
        );
        return { pending: row?.pending ?? 0, oldestAgeSeconds: row?.age ?? 0 };
      },
      deadLetters: service.eventHandlers
        ? { queue: EVENTS_DEAD_LETTER_QUEUE, depth: () => bus.queueDepth(EVENTS_DEAD_LETTER_QUEUE) }
        : undefined,
    });
    if (service.eventHandlers) {
      const consumer = await consumeEvents({
        bus,
        service: spec.name,
        prisma: database.prisma,
        handlers: service.eventHandlers as EventHandlers<SqlTransaction>,
        logger,
        metrics: createEventConsumerMetrics(metrics.registry),
      });
      opened.push({ close: () => consumer.cancel() });
    }
    const verifySignature =
      settings.verifyAccessToken ??
      service.verifyAccessToken ??
      (settings.JWKS_URL ? createAccessTokenVerifier({ jwksUrl: settings.JWKS_URL }) : undefined);
    if (!verifySignature) throw new Error(`${spec.name} has no way to verify access tokens`);
    // Every service refuses revoked tokens itself: a call that skips the gateway gets no further.
    const verifyAccessToken = refusingRevokedTokens(verifySignature, revocations, { logger });
    const server = await startSubgraph<TContext>({
      name: spec.name,
      metrics,
      typeDefs: spec.typeDefs,
      resolvers: spec.resolvers,
      logger,
      port: settings.PORT,
      host: settings.HOST,
      metricsPort: settings.METRICS_PORT,
      production: settings.NODE_ENV === 'production',
      verifyAccessToken,
      serviceTokens: { secret: settings.SERVICE_TOKEN_SECRET, callers: spec.callers },
      readiness: { database: database.db.ping },
      // Without the broker, changes still commit: their events wait in the outbox.
      // Without the revocation store, tokens are judged on the last values read (see auth/revocations).
      degradable: {
        cache: cache.ping,
        events: bus.ping,
        revocations: revocations.ping,
        ...(spec.realtime ? { realtime: hub.ping } : {}),
      },
      context: service.context,
      routes: service.routes,
      realtime: spec.realtime
        ? { hub, redisUrl: settings.REDIS_URL, sockets: service.sockets }
        : undefined,
      onStop: closeOpened,
    });
    return { ...server, ...service.extra, hub, outbox: relay };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
