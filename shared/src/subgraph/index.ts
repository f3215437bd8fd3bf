import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import {
  bearerToken,
  createServiceTokenVerifier,
  SERVICE_TOKEN_HEADER,
  type AccessTokenVerifier,
  type ServiceTokenVerifier,
} from '../auth';
import {
  AuthenticationError,
  createErrorFormatter,
  httpStatusOf,
  ServiceAuthenticationError,
  errorMessage,
} from '../errors';
import {
  applyLimits,
  limitBatches,
  limitResolvedFields,
  MAX_BODY_BYTES,
  refuseNulCharacters,
  refuseUnrunnableOperations,
  SUBGRAPH_LIMITS,
  type AppliedLimits,
} from '../limits';
import type { Logger } from '../logger/types';
import {
  correlationId,
  createMetrics,
  errorBody,
  errorHandler,
  graphqlMetricsPlugin,
  metricsRoute,
  notFound,
  requestTiming,
  type Metrics,
} from '../middleware';
import type { Principal } from '../types';
import { Gauge } from 'prom-client';
import { attachGraphqlWs, createSocketServer, type EventHub, type SocketServer } from '../realtime';
import { SERVER_HEADERS_TIMEOUT_MS, SERVER_KEEP_ALIVE_TIMEOUT_MS } from './keep-alive';

export type ReadinessCheck = () => Promise<unknown>;

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface BaseContext {
  principal: Principal | null;
  /** The caller's bearer token, forwarded by the gateway, for calls this service makes on their behalf. */
  accessToken: string | null;
  logger: Logger;
}

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
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
  /** NODE_ENV=production: no introspection (`_service { sdl }` still answers), no field suggestions. */
  production?: boolean;
  /** Extra HTTP routes before GraphQL (identity's JWKS). */
  routes?(app: Express): void;
  /** Releases what the service opened (Prisma, pools); runs after the server stopped taking requests. */
  onStop?(): Promise<void>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** Subscriptions over graphql-ws at /graphql and socket.io at /socket.io, fed by the hub. */
  realtime?: {
    hub: EventHub;
    /** Redis for socket.io's adapter when the service runs as several instances. */
    redisUrl?: string;
    /** Registers the service's socket.io namespaces and handlers. */
    sockets?(io: SocketServer): void;
  };
}

const READINESS_TIMEOUT_MS = 2_000;

/**
 * Runs readiness checks in parallel, each bounded in time; reports latency per check. A
 * `degradable` check that fails is listed as degraded; only the others make the service not ready.
 */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  degradable: Record<string, ReadinessCheck> = {},
) {
  const results = await Promise.all(
    Object.entries({ ...checks, ...degradable }).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS).unref(),
          ),
        ]);
        return [
          name,
          { status: 'up', latencyMs: Math.round(performance.now() - started) },
        ] as const;
      } catch (error) {
        return [
          name,
          {
            status: 'down',
            latencyMs: Math.round(performance.now() - started),
            error: errorMessage(error),
          },
        ] as const;
      }
    }),
  );
  const down = results.filter(([, result]) => result.status !== 'up').map(([name]) => name);
  const notReady = down.filter((name) => !(name in degradable));
  const degraded = down.filter((name) => name in degradable);
  return { ready: notReady.length === 0, notReady, degraded, checks: Object.fromEntries(results) };
}

/** `/health/live` and `/health/ready`, the same on every FitNexa server. */
export function healthRoutes(app: Express, readiness: () => Promise<{ ready: boolean } & object>) {
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await readiness();
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not ready', ...report });
  });
}

/** Verifies the request's bearer token; a bad one is a 401 before any resolver runs. */
export async function principalOf(req: Request, verify: AccessTokenVerifier) {
  try {
    const token = bearerToken(req.header('authorization'));
    return { accessToken: token, principal: token ? await verify(token) : null };
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new AuthenticationError(error.message).withHttpStatus(401);
    }
    throw error;
  }
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

/**
 * Listens on `port` (0 picks a free one) and returns the handle every FitNexa server exposes:
 * its GraphQL URL, the port it got, and a `stop` that runs once however often it is called.
 */
export async function serve(
  server: Server,
  { port, host }: { port: number; host: string },
  stop: () => Promise<void>,
): Promise<RunningServer> {
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = SERVER_HEADERS_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}/graphql`,
    port: actualPort,
    stop: () => (stopping ??= stop()),
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
    // The map is typed by the subgraph's context; Apollo's helper only knows `unknown`.
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const metrics = createMetrics(options.name);
  const verifyServiceToken = createServiceTokenVerifier({
    secret: options.serviceTokens.secret,
    audience: options.name,
    callers: options.serviceTokens.callers ?? [],
  });
  const production = Boolean(options.production);
  // The gateway's limits, widened only for what its query plans add: see SUBGRAPH_LIMITS.
  const limits = applyLimits(SUBGRAPH_LIMITS, { production });
  const apollo = new ApolloServer<TContext>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    introspection: !production,
    // The gateway sends one operation per request.
    allowBatchedHttpRequests: false,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    // Shutdown is ours (stopOnSignals): Apollo's own handler re-raises the signal and kills the
    // process before the database and the other servers are closed.
    stopOnTerminationSignals: false,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<TContext>[]),
      refuseNulCharacters() as ApolloServerPlugin<TContext>,
      refuseUnrunnableOperations() as ApolloServerPlugin<TContext>,
      limitResolvedFields() as ApolloServerPlugin<TContext>,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      graphqlMetricsPlugin(metrics) as ApolloServerPlugin<TContext>,
      ...(options.plugins ?? []),
    ],
    logger: {
      debug: (message) => logger.debug(String(message)),
      info: (message) => logger.info(String(message)),
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.error(String(message)),
    },
  });
  await apollo.start();

  app.use(correlationId(), requestTiming(logger, metrics));
  metricsRoute(app, metrics);
  healthRoutes(app, () => checkReadiness(options.readiness, options.degradable));
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
    startRealtime(
      httpServer,
      schema,
      options,
      options.realtime,
      metrics,
      verifyServiceToken,
      limits,
    );
  const server = await serve(httpServer, options, async () => {
    // Long-lived connections first: the HTTP drain would otherwise wait its grace period for them.
    await realtime?.close();
    await apollo.stop();
    await options.onStop?.();
    logger.info(`${options.name} subgraph stopped`);
  });
  logger.info(`${options.name} subgraph ready`, { url: server.url });
  return server;
}

function startRealtime<TContext extends BaseContext>(
  httpServer: Server,
  schema: GraphQLSchema,
  options: SubgraphOptions<TContext>,
  realtime: NonNullable<SubgraphOptions<TContext>['realtime']>,
  metrics: Metrics,
  verifyServiceToken: ServiceTokenVerifier,
  limits: AppliedLimits,
) {
  const { logger } = options;
  const subscriptions = attachGraphqlWs(
    httpServer,
    {
      schema,
      path: '/graphql',
      verifyAccessToken: options.verifyAccessToken,
      verifyServiceToken,
      context: (base) => options.context({ ...base, logger }),
      logger,
      limits,
    },
    ['/socket.io'],
  );
  const sockets = createSocketServer(httpServer, {
    redisUrl: realtime.redisUrl,
    verifyAccessToken: options.verifyAccessToken,
    verifyServiceToken,
    hub: realtime.hub,
    logger,
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

export { handleProcessFaults, runMigrations, runService, stopOnSignals } from './main';
export * from './keep-alive';
export {
  startService,
  type ServiceServer,
  type ServiceSettings,
  type ServiceSpec,
  type WiredService,
} from './service';
