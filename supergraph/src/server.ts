import { createServer } from 'node:http';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import { expressMiddleware } from '@as-integrations/express5';
import {
  createAccessTokenVerifier,
  createServiceTokenIssuer,
  GATEWAY_SERVICE,
  SERVICE_TOKEN_HEADER,
  type AccessTokenVerifier,
  type ServiceTokenIssuer,
} from '@fitnexa/shared/auth';
import {
  ownRevocationStore,
  refusingRevokedTokens,
  type RevocationStore,
} from '@fitnexa/shared/auth/revocations';
import { createCache } from '@fitnexa/shared/cache';
import { createErrorFormatter, ErrorCode } from '@fitnexa/shared/errors';
import {
  applyLimits,
  GATEWAY_LIMITS,
  limitBatches,
  MAX_BATCH,
  MAX_BODY_BYTES,
  refuseNulCharacters,
  refuseUnrunnableOperations,
} from '@fitnexa/shared/limits';
import type { Logger } from '@fitnexa/shared/logger';
import {
  CORRELATION_HEADER,
  correlationId,
  currentCorrelationId,
  createMetrics,
  errorHandler,
  metricsRoute,
  notFound,
  requestTiming,
} from '@fitnexa/shared/middleware';
import { healthRoutes, principalOf, serve, type RunningServer } from '@fitnexa/shared/subgraph';
import express, { type Request } from 'express';
import { GraphQLError } from 'graphql';
import proxyAddr from 'proxy-addr';
import type { GatewayContext } from './context';
import { checkSubgraphs } from './health';
import { keepAliveFetcher } from './http-fetcher';
import { createGatewayMetrics, createSubscriptionMetrics } from './observability';
import { documentStore, keyValueStore } from './key-value-store';
import { createGatewayRateLimit, GATEWAY_RATE_LIMITS, type RateLimit } from './rate-limit';
import { socketIoForwarding } from './sockets';
import { subgraphsOf } from './subgraphs';
import { createSubscriptionServer, type SubscriptionBounds } from './subscriptions';

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls?: Record<string, string>;
  jwksUrl?: string;
  verifyAccessToken?: AccessTokenVerifier;
  /** Signs the gateway's credentials to the subgraphs (SERVICE_TOKEN_SECRET, shared with them). */
  serviceTokenSecret: string;
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
  /** graphql-ws: reconnections to a subgraph whose socket dropped (default 5), init timeout, bounds. */
  subscriptions?: SubscriptionBounds & {
    upstreamRetryAttempts?: number;
    connectionInitTimeoutMs?: number;
  };
  /** The in-process cache's bound without Redis (default 64 MiB). */
  memoryCacheMaxBytes?: number;
  /** The largest subgraph response read (default 32 MiB). */
  maxSubgraphResponseBytes?: number;
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

/**
 * Passes the caller's token and correlation id on to every subgraph request, with the gateway's
 * own credential for that subgraph (cached by the issuer: no signing per request).
 */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly subgraph: string,
    private readonly serviceTokens: ServiceTokenIssuer,
  ) {
    super(config);
  }

  /** A failed request (unreachable, non-2xx) names its subgraph, as its errors do, for the log. */
  override didEncounterError(error: Error): void {
    throw new GraphQLError(error.message, {
      originalError: error,
      extensions: {
        ...(error instanceof GraphQLError ? error.extensions : {}),
        serviceName: this.subgraph,
      },
    });
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    request.http?.headers.set(
      SERVICE_TOKEN_HEADER,
      await this.serviceTokens.tokenFor(this.subgraph),
    );
    if ('accessToken' in context && context.accessToken) {
      request.http?.headers.set('authorization', `Bearer ${context.accessToken}`);
    }
    if ('correlationId' in context && context.correlationId) {
      request.http?.headers.set(CORRELATION_HEADER, context.correlationId);
    }
  }

  /**
   * A subgraph refusing the gateway itself is our misconfiguration (SERVICE_TOKEN_SECRET differs),
   * not the client's: Apollo would answer it UNAUTHENTICATED, which a client reads as "sign in
   * again". It becomes an internal error, logged with the reason. Any other 4xx answer is the
   * client's problem (a DateTime the subgraph could not read, a limit): its first GraphQL error
   * reaches the client with its own code, where Apollo's default ("400: Bad Request", no code)
   * would become an INTERNAL_SERVER_ERROR. Anything else (5xx, a body that is not a GraphQL
   * response) keeps the default.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response);
    const body = (fallback.extensions.response as { body?: unknown } | undefined)?.body;
    const first =
      response.status >= 400 && response.status < 500 && isGraphQLErrorBody(body)
        ? body.errors[0]
        : undefined;
    if (!first) return fallback;
    const { code, problems } = first.extensions;
    if (code === ErrorCode.SERVICE_UNAUTHENTICATED) {
      return new GraphQLError(
        `${this.subgraph} refused the gateway's service credential (is SERVICE_TOKEN_SECRET the same everywhere?): ${first.message}`,
        { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } },
      );
    }
    return new GraphQLError(first.message, {
      extensions: { code, ...(problems === undefined ? {} : { problems }) },
    });
  }
}

function isGraphQLErrorBody(
  body: unknown,
): body is { errors: [{ message: string; extensions: { code: string; problems?: unknown } }] } {
  if (typeof body !== 'object' || body === null || !('errors' in body)) return false;
  const [first] = Array.isArray(body.errors) ? (body.errors as unknown[]) : [];
  return (
    typeof first === 'object' &&
    first !== null &&
    typeof (first as { message?: unknown }).message === 'string' &&
    typeof (first as { extensions?: { code?: unknown } }).extensions?.code === 'string'
  );
}

/**
 * Status codes as the GraphQL-over-HTTP spec asks for a request that fails before execution
 * (unparsable, invalid, bad variables): 400 for clients that accept
 * `application/graphql-response+json`, 200 for `application/json`-only clients, which must read
 * `errors` rather than the status.
 */
function specStatusCodes(): ApolloServerPlugin<GatewayContext> {
  const beforeExecution = new Set<string>([
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    ErrorCode.BAD_USER_INPUT,
    ErrorCode.OPERATION_RESOLUTION_FAILURE,
    ErrorCode.BAD_REQUEST,
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
  const subgraphHttp = keepAliveFetcher({ maxResponseBytes: options.maxSubgraphResponseBytes });
  const serviceTokens = createServiceTokenIssuer({
    secret: options.serviceTokenSecret,
    issuer: GATEWAY_SERVICE,
  });
  // One data source per subgraph, shared by queries and by subscriptions' entity fetches.
  const dataSources: Record<string, ForwardingDataSource> = Object.create(null);
  const dataSourceOf = (name: string, url: string) =>
    (dataSources[name] ??= new ForwardingDataSource(
      {
        url: routing.get(name) ?? url,
        // The default make-fetch-happen adds an HTTP cache layer that subgraph POSTs never use.
        fetcher: graphqlMetrics.timedFetch(name, subgraphHttp.fetcher),
      },
      name,
      serviceTokens,
    ));
  for (const subgraph of subgraphs) dataSourceOf(subgraph.name, subgraph.url);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => dataSourceOf(name, url ?? ''),
  });
  const cache = await createCache({
    url: options.redisUrl,
    prefix: options.cachePrefix ?? 'gateway',
    logger,
    maxBytes: options.memoryCacheMaxBytes,
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
  const limits = applyLimits(GATEWAY_LIMITS, { production: Boolean(options.production) });

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
    documentStore: documentStore(),
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      refuseUnrunnableOperations() as ApolloServerPlugin<GatewayContext>,
      refuseNulCharacters() as ApolloServerPlugin<GatewayContext>,
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
    serviceTokens,
    logger,
    validationRules: limits.validationRules,
    maxTokens: limits.parseOptions.maxTokens,
    hideSuggestions: limits.hideSuggestions,
    maxPayload: MAX_BODY_BYTES,
    // The client's address as express sees it (behind TRUST_PROXY, the forwarded one).
    clientIp: (req) => proxyAddr(req, app.get('trust proxy fn')),
    ...options.subscriptions,
    metrics: createSubscriptionMetrics(metrics),
  });
  const sockets = socketIoForwarding(subgraphs, logger, serviceTokens);
  sockets.attach(httpServer, { '/graphql': subscriptions.handleUpgrade });
  app.use(correlationId(), requestTiming(logger, metrics));
  // Before any body parser: long-polling bodies pass through untouched.
  app.use(sockets.http);
  metricsRoute(app, metrics);
  // Without the revocation store, tokens are judged on the last values read: degraded, still ready.
  healthRoutes(app, () => checkSubgraphs(subgraphs, { revocations: revocations.ping }));
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    limitBatches(MAX_BATCH),
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
