import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { Gauge } from 'prom-client';
import type { AccessTokenVerifier, ServiceTokenVerifier } from '../auth';
import type { AppliedLimits } from '../limits';
import type { Logger } from '../logger/types';
import type { Metrics } from '../middleware';
import { attachGraphqlWs, createSocketServer, type EventHub, type SocketServer } from '../realtime';
import type { BaseContext } from './context';

/** Subscriptions over graphql-ws at /graphql and socket.io at /socket.io, fed by the hub. */
export interface SubgraphRealtime {
  hub: EventHub;
  /** Redis for socket.io's adapter when the service runs as several instances. */
  redisUrl?: string;
  /** Registers the service's socket.io namespaces and handlers. */
  sockets?(io: SocketServer): void;
}

/**
 * A subgraph's real-time servers on its HTTP server: graphql-ws at /graphql and socket.io, both
 * taking the gateway's (or a named peer's) connections only, with their gauges in `metrics`.
 */
export function startRealtime<TContext extends BaseContext>(
  httpServer: Server,
  realtime: SubgraphRealtime,
  options: {
    schema: GraphQLSchema;
    context(base: BaseContext): TContext;
    verifyAccessToken: AccessTokenVerifier;
    verifyServiceToken: ServiceTokenVerifier;
    limits: AppliedLimits;
    metrics: Metrics;
    logger: Logger;
    /** The subgraph's name, for its spans. */
    service: string;
  },
) {
  const { logger, verifyServiceToken, metrics } = options;
  const subscriptions = attachGraphqlWs(
    httpServer,
    {
      schema: options.schema,
      service: options.service,
      path: '/graphql',
      verifyAccessToken: options.verifyAccessToken,
      verifyServiceToken,
      context: (base) => options.context({ ...base, logger }),
      logger,
      limits: options.limits,
    },
    ['/socket.io'],
  );
  const sockets = createSocketServer(httpServer, {
    redisUrl: realtime.redisUrl,
    verifyAccessToken: options.verifyAccessToken,
    verifyServiceToken,
    hub: realtime.hub,
    logger,
    service: options.service,
  });
  realtime.sockets?.(sockets.io);
  const registers = [metrics.registry];
  new Gauge({
    name: 'realtime_subscriptions',
    help: 'Subscriptions open on this instance (graphql-ws and internal listeners of the hub)',
    registers,
    collect() {
      this.set(realtime.hub.subscriptionCount());
    },
  });
  new Gauge({
    name: 'socketio_connections',
    help: 'socket.io clients connected to this instance',
    registers,
    collect() {
      this.set(sockets.io.engine.clientsCount);
    },
  });
  return {
    async close() {
      await Promise.all([subscriptions.close(), sockets.close()]);
    },
  };
}
