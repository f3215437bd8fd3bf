import { createServer } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express, { type Express, type RequestHandler } from 'express';
import type { DocumentNode } from 'graphql';
import {
  createServiceTokenVerifier,
  SERVICE_TOKEN_HEADER,
  type AccessTokenVerifier,
  type ServiceTokenVerifier,
} from '../auth';
import { httpStatusOf, ServiceAuthenticationError } from '../errors';
import {
  applyLimits,
  limitBatches,
  limitResolvedFields,
  MAX_BODY_BYTES,
  SUBGRAPH_LIMITS,
} from '../limits';
import type { Logger } from '../logger/types';
import {
  correlationId,
  createMetrics,
  errorBody,
  errorHandler,
  graphqlMetricsPlugin,
  notFound,
  requestTiming,
  type Metrics,
} from '../middleware';
import { createApolloServer } from '../server/apollo';
import { checkReadiness, healthRoutes, type ReadinessCheck } from '../server/health';
import { metricsEndpoint } from '../server/metrics-endpoint';
import { principalOf } from '../server/principal';
import { serve, type RunningServer } from '../server/serve';
import { traceResolvers } from '../telemetry/graphql';
import { traceRequests } from '../telemetry/http';
import type { BaseContext } from './context';
import { startRealtime, type SubgraphRealtime } from './realtime';
import type { GraphQLResolverMap } from './resolver-map';

/** The resolvers buildSubgraphSchema takes, as its public signature names them. */
type ApolloResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  /** The server's registry when the caller registers metrics of its own in it (startService). */
  metrics?: Metrics;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** Builds the per-request context (dataloaders, use cases) from the verified principal. */
  context(base: BaseContext): TContext;
  verifyAccessToken: AccessTokenVerifier;
  /**
   * Who may call /graphql (and subscribe, and connect socket.io): holders of a service credential
   * signed with `secret` for this subgraph, from the gateway or one of `callers`.
   */
  serviceTokens: { secret: string; callers?: readonly string[] };
  /** Named dependencies `/health/ready` checks: database, broker, cache. */
  readiness: Record<string, ReadinessCheck>;
  /**
   * Dependencies the service works without, only slower (the cache): reported by
   * `/health/ready` as `degraded` when down, without taking the service out of rotation.
   */
  degradable?: Record<string, ReadinessCheck>;
  logger: Logger;
  port: number;
  host: string;
  /** `/metrics` on this port of its own (METRICS_PORT); absent: on `port`. */
  metricsPort?: number;
  /** NODE_ENV=production: no introspection (`_service { sdl }` still answers), no field suggestions. */
  production?: boolean;
  /** Extra HTTP routes before GraphQL (identity's JWKS). */
  routes?(app: Express): void;
  /** Releases what the service opened (Prisma, pools); runs after the server stopped taking requests. */
  onStop?(): Promise<void>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** Subscriptions over graphql-ws at /graphql and socket.io at /socket.io, fed by the hub. */
  realtime?: SubgraphRealtime;
}

/**
 * Refuses, with 401 SERVICE_UNAUTHENTICATED, every request without a valid service credential in
 * `x-fitnexa-service`: only the gateway (and named peers) reach a subgraph's GraphQL, so nothing
 * gets around the gateway's limits by calling a subgraph's port.
 */
export function requireServiceToken(verify: ServiceTokenVerifier): RequestHandler {
  return (req, res, next) => {
    verify(req.header(SERVICE_TOKEN_HEADER)).then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof ServiceAuthenticationError)) return next(error);
        res.status(httpStatusOf(error.code)).json(errorBody(error.code, error.message));
      },
    );
  };
}

/** Starts any FitNexa subgraph: GraphQL at /graphql, health, correlation ids, timing, shutdown. */
export async function startSubgraph<TContext extends BaseContext>(
  options: SubgraphOptions<TContext>,
): Promise<RunningServer> {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const schema = buildSubgraphSchema({
    typeDefs: options.typeDefs,
    // The map is typed by the subgraph's context and parents; Apollo's only knows `unknown`.
    resolvers: traceResolvers(options.resolvers) as ApolloResolverMap,
  });
  const metrics = options.metrics ?? createMetrics(options.name);
  const verifyServiceToken = createServiceTokenVerifier({
    secret: options.serviceTokens.secret,
    audience: options.name,
    callers: options.serviceTokens.callers ?? [],
  });
  const production = Boolean(options.production);
  // The gateway's limits, widened only for what its query plans add: see SUBGRAPH_LIMITS.
  const limits = applyLimits(SUBGRAPH_LIMITS, { production });
  const apollo = createApolloServer<TContext>(
    {
      httpServer,
      logger,
      limits,
      production,
      plugins: [
        limitResolvedFields() as ApolloServerPlugin<TContext>,
        graphqlMetricsPlugin(metrics) as ApolloServerPlugin<TContext>,
        ...(options.plugins ?? []),
      ],
    },
    // The gateway sends one operation per request.
    { schema, allowBatchedHttpRequests: false },
  );
  await apollo.start();

  app.use(correlationId(), traceRequests(options.name), requestTiming(logger, metrics));
  const metricsServer = await metricsEndpoint(app, metrics, {
    port: options.metricsPort,
    host: options.host,
  });
  const health = healthRoutes(app, () => checkReadiness(options.readiness, options.degradable));
  options.routes?.(app);
  app.use(
    '/graphql',
    requireServiceToken(verifyServiceToken),
    express.json({ limit: MAX_BODY_BYTES }),
    limitBatches(0),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const { principal, accessToken } = await principalOf(req, options.verifyAccessToken);
        return options.context({ principal, accessToken, logger });
      },
    }),
  );
  app.use(notFound(), errorHandler(logger));

  const realtime =
    options.realtime &&
    startRealtime(httpServer, options.realtime, {
      schema,
      context: options.context,
      verifyAccessToken: options.verifyAccessToken,
      verifyServiceToken,
      limits,
      metrics,
      logger,
      service: options.name,
    });
  // Drained first (out of the load balancer's rotation); what is in flight still finishes.
  const server = await serve(httpServer, { ...options, health }, async () => {
    // Long-lived connections first: the HTTP drain would otherwise wait its grace period for them.
    await realtime?.close();
    await apollo.stop();
    await options.onStop?.();
    await metricsServer.close();
    logger.info(`${options.name} subgraph stopped`);
  });
  logger.info(`${options.name} subgraph ready`, { url: server.url });
  return { ...server, metricsPort: metricsServer.port };
}
