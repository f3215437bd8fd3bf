import { createServer } from 'node:http';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import {
  ownRevocationStore,
  refusingRevokedTokens,
  type RevocationStore,
} from '@fitnexa/shared/auth/revocations';
import { createCache } from '@fitnexa/shared/cache';
import { createErrorFormatter, ErrorCode } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import {
  CORRELATION_HEADER,
  correlationId,
  currentCorrelationId,
  createMetrics,
  errorBody,
  errorHandler,
  metricsRoute,
  notFound,
  requestTiming,
} from '@fitnexa/shared/middleware';
import { healthRoutes, principalOf, serve, type RunningServer } from '@fitnexa/shared/subgraph';
import type { Principal } from '@fitnexa/shared/types';
import express, { type Request, type RequestHandler } from 'express';
import { checkSubgraphs } from './health';
import { keepAliveFetcher } from './http-fetcher';
import { createGatewayMetrics, createSubscriptionMetrics } from './observability';
import { keyValueStore } from './key-value-store';
import { createGatewayRateLimit, GATEWAY_RATE_LIMITS, type RateLimit } from './rate-limit';
import { socketIoForwarding } from './sockets';
import { subgraphsOf } from './subgraphs';
import { createSubscriptionServer } from './subscriptions';

export interface GatewayContext {
  principal: Principal | null;
  accessToken: string | null;
  correlationId: string | undefined;
}

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls?: Record<string, string>;
  jwksUrl?: string;
  verifyAccessToken?: AccessTokenVerifier;
  port: number;
  host: string;
  logger: Logger;
  production?: boolean;
  /** Redis for persisted queries, cached responses and rate limits, shared by every instance. */
  redisUrl?: string;
  /** Prefix of the gateway's keys in that Redis (graphs side by side in tests get their own). */
  cachePrefix?: string;
  /** Per client IP and per user; GATEWAY_RATE_LIMITS by default, false for none. */
  rateLimits?: { perIp: RateLimit; perUser: RateLimit; prefix?: string } | false;
  /** express's 'trust proxy': the proxies in front, so that req.ip is the client's. */
  trustProxy?: boolean | number | string;
  /**
   * The users' "tokens valid from" instants identity writes (see @fitnexa/shared/auth/revocations),
   * the caller's to close. Absent: the gateway's own on redisUrl (production's prefix), or in-process.
   */
  revocations?: RevocationStore;
  /** graphql-ws: reconnections to a subgraph whose socket dropped (default 5), init timeout. */
  subscriptions?: { upstreamRetryAttempts?: number; connectionInitTimeoutMs?: number };
}

/** The running gateway, and what its federated subscriptions hold open (metrics, tests). */
export interface GatewayServer extends RunningServer {
  subscriptions: {
    /** graphql-ws sockets from the gateway to subgraphs, open or opening. */
    upstreamSockets(): number;
    /** Client subscriptions running. */
    activeSubscriptions(): number;
  };
}

/** Passes the caller's token and correlation id on to every subgraph request. */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    if ('accessToken' in context && context.accessToken) {
      request.http?.headers.set('authorization', `Bearer ${context.accessToken}`);
    }
    if ('correlationId' in context && context.correlationId) {
      request.http?.headers.set(CORRELATION_HEADER, context.correlationId);
    }
  }
}

const MAX_TOKENS = 2_000;
const MAX_BODY = '1mb';
const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH = 10;

/** A batch (a JSON array of operations) of at most MAX_BATCH operations, each planned and run. */
const limitBatches: RequestHandler = (req, res, next) => {
  if (Array.isArray(req.body) && req.body.length > MAX_BATCH) {
    res
      .status(400)
      .json(errorBody(ErrorCode.BAD_REQUEST, `A batch holds at most ${MAX_BATCH} operations`));
    return;
  }
  next();
};

/**
 * Status codes as the GraphQL-over-HTTP spec asks for a request that fails before execution
 * (unparsable, invalid, bad variables): 400 for clients that accept
 * `application/graphql-response+json`, 200 for `application/json`-only clients, which must read
 * `errors` rather than the status.
 */
function specStatusCodes(): ApolloServerPlugin<GatewayContext> {
  const beforeExecution = new Set([
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    'BAD_USER_INPUT',
  ]);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, errors }) {
          const code = errors?.[0]?.extensions?.code;
          if (response.body.kind !== 'single' || response.body.singleResult.data !== undefined)
            return;
          if (typeof code !== 'string' || !beforeExecution.has(code)) return;
          const accept = request.http?.headers.get('accept') ?? '';
          response.http.status = accept.includes('application/graphql-response+json') ? 400 : 200;
        },
      };
    },
  };
}

/**
 * The single entry point: composes the subgraphs of a supergraph file, verifies the caller's
 * token once, routes operations, aggregates health and serves Apollo Sandbox.
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayServer> {
  const { logger } = options;
  const subgraphs = subgraphsOf(options.supergraphSdl, options.subgraphUrls);
  const routing = new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  // Read per request from the store, so a gateway started after a revocation refuses too.
  const revocations =
    options.revocations ??
    (await ownRevocationStore({
      url: options.redisUrl,
      logger,
    }));
  const verify = refusingRevokedTokens(
    options.verifyAccessToken ??
      createAccessTokenVerifier({ jwksUrl: required(options.jwksUrl, 'jwksUrl') }),
    revocations,
    { logger },
  );

  const metrics = createMetrics('gateway');
  const graphqlMetrics = createGatewayMetrics(metrics);
  const subgraphHttp = keepAliveFetcher();
  // One data source per subgraph, shared by queries and by subscriptions' entity fetches.
  const dataSources: Record<string, ForwardingDataSource> = Object.create(null);
  const dataSourceOf = (name: string, url: string) =>
    (dataSources[name] ??= new ForwardingDataSource({
      url: routing.get(name) ?? url,
      // The default make-fetch-happen adds an HTTP cache layer that subgraph POSTs never use.
      fetcher: graphqlMetrics.timedFetch(name, subgraphHttp.fetcher),
    }));
  for (const subgraph of subgraphs) dataSourceOf(subgraph.name, subgraph.url);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => dataSourceOf(name, url ?? ''),
  });
  const cache = await createCache({
    url: options.redisUrl,
    prefix: options.cachePrefix ?? 'gateway',
    logger,
  });
  // The token is verified once per request, by whichever asks first (rate limit or context).
  const principals = new WeakMap<Request, ReturnType<typeof principalOf>>();
  const principalOnce = (req: Request) => {
    let found = principals.get(req);
    if (!found) principals.set(req, (found = principalOf(req, verify)));
    return found;
  };
  const rateLimit =
    options.rateLimits === false
      ? undefined
      : await createGatewayRateLimit({
          redisUrl: options.redisUrl,
          ...(options.rateLimits ?? GATEWAY_RATE_LIMITS),
          logger,
          principalOf: async (req) => (await principalOnce(req)).principal,
        });
  const armor = new ApolloArmor({
    maxDepth: { n: 12 },
    costLimit: { maxCost: 10_000 },
    maxAliases: { n: 20 },
    maxDirectives: { n: 50 },
    // Counted by graphql-js's own parser (parseOptions below): armor's token plugin turned every
    // syntax error into a 500.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: Boolean(options.production) },
  }).protect();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  const httpServer = createServer(app);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Shutdown is ours (stopOnSignals): Apollo's own handler re-raises the signal and kills the
    // process before the database and the other servers are closed.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    allowBatchedHttpRequests: true,
    persistedQueries: { cache: keyValueStore(cache) },
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules: armor.validationRules,
    plugins: [
      ...armor.plugins,
      specStatusCodes(),
      graphqlMetrics.plugin as ApolloServerPlugin<GatewayContext>,
      // Whole responses whose every part the subgraphs marked cacheable (their Cache-Control,
      // from @cacheControl): public ones shared by everyone, private ones per user.
      ApolloServerPluginResponseCache<GatewayContext>({
        cache: keyValueStore(cache),
        sessionId: async ({ contextValue }) => contextValue.principal?.userId ?? null,
      }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();

  // Subscriptions on the same /graphql, over graphql-ws, under the same limits as HTTP operations.
  const subscriptions = createSubscriptionServer({
    supergraphSdl: options.supergraphSdl,
    subgraphs,
    dataSources,
    verifyAccessToken: verify,
    logger,
    validationRules: armor.validationRules,
    maxTokens: MAX_TOKENS,
    hideSuggestions: Boolean(options.production),
    maxPayload: MAX_BODY_BYTES,
    ...options.subscriptions,
    metrics: createSubscriptionMetrics(metrics),
  });
  const sockets = socketIoForwarding(subgraphs, logger);
  sockets.attach(httpServer, { '/graphql': subscriptions.handleUpgrade });
  app.use(correlationId(), requestTiming(logger, metrics));
  // Before any body parser: long-polling bodies pass through untouched.
  app.use(sockets.http);
  metricsRoute(app, metrics);
  // Without the revocation store, tokens are judged on the last values read: degraded, still ready.
  healthRoutes(app, () => checkSubgraphs(subgraphs, { revocations: revocations.ping }));
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY }),
    limitBatches,
    ...(rateLimit ? [rateLimit] : []),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        ...(await principalOnce(req)),
        correlationId: currentCorrelationId(),
      }),
    }),
  );
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(notFound(), errorHandler(logger));

  const server = await serve(httpServer, options, async () => {
    await subscriptions.close();
    sockets.closeAll();
    await apollo.stop();
    await rateLimit?.close();
    await cache.close();
    if (!options.revocations) await revocations.close();
    subgraphHttp.close();
    logger.info('gateway stopped');
  });
  logger.info('gateway ready', {
    url: server.url,
    subgraphs: subgraphs.map((s) => `${s.name}=${routing.get(s.name)}`),
  });
  return {
    ...server,
    subscriptions: {
      upstreamSockets: subscriptions.upstreamSockets,
      activeSubscriptions: subscriptions.activeSubscriptions,
    },
  };
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`startGateway needs ${name}`);
  return value;
}
