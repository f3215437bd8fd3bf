import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  createServiceTokenIssuer,
  GATEWAY_SERVICE,
  type AccessTokenVerifier,
} from '@fitnexa/shared/auth';
import type { RevocationStore } from '@fitnexa/shared/auth/revocations';
import { createCache } from '@fitnexa/shared/cache';
import {
  applyLimits,
  GATEWAY_LIMITS,
  limitBatches,
  MAX_BATCH,
  MAX_BODY_BYTES,
} from '@fitnexa/shared/limits';
import type { Logger } from '@fitnexa/shared/logger';
import type { RateLimit } from '@fitnexa/shared/rate-limit';
import {
  correlationId,
  createMetrics,
  errorHandler,
  notFound,
  requestTiming,
} from '@fitnexa/shared/middleware';
import {
  createApolloServer,
  healthRoutes,
  metricsEndpoint,
  serve,
  type RunningServer,
} from '@fitnexa/shared/server';
import { traceRequests } from '@fitnexa/shared/telemetry';
import express from 'express';
import proxyAddr from 'proxy-addr';
import { withoutApolloDataCollection } from './config';
import type { GatewayContext } from './context';
import { createGatewayMetrics, createSubscriptionMetrics } from './gateway-metrics';
import { checkSubgraphs, CRITICAL_SUBGRAPH_GRACE_MS } from './health';
import { useLeanResultShaping } from './result-shaping';
import { useOperationReuse } from './operation-reuse';
import { keepAliveFetcher } from './http-fetcher';
import { corsOriginsFor, corsPolicy } from './plugins/cors';
import { persistedDocuments } from './plugins/document-store';
import { explorer } from './plugins/explorer';
import { forwardingDataSources } from './plugins/forwarding-data-source';
import { sharingIdenticalQueries } from './plugins/query-deduplication';
import { responseCache } from './plugins/response-cache';
import { specStatusCodes } from './plugins/status-codes';
import { errorCorrelation } from './plugins/error-correlation';
import { statusPage } from './plugins/status-page';
import { verifiedCaller } from './plugins/verified-caller';
import { createGatewayRateLimit, GATEWAY_RATE_LIMITS } from './rate-limit';
import { SOCKET_IO_PATH, socketIoForwarding } from './sockets';
import { subgraphsOf } from './subgraphs';
import { polledSupergraph, type SupergraphUpdates } from './supergraph-updates';
import { createSubscriptionServer, type SubscriptionBounds } from './subscriptions';

export interface GatewayOptions {
  /** The supergraph it starts with. */
  supergraphSdl: string;
  /** Where to read the supergraph again, and how often: a change is applied without a restart. */
  supergraphUpdates?: SupergraphUpdates;
  /** Subgraphs without which the gateway is not ready; absent: all but NON_CRITICAL_BY_DEFAULT. */
  criticalSubgraphs?: readonly string[];
  /**
   * How long a critical subgraph that answered ready may fail before the gateway is not ready
   * (listed as degraded meanwhile); absent: CRITICAL_SUBGRAPH_GRACE_MS.
   */
  criticalSubgraphGraceMs?: number;
  /** `/metrics` on this port of its own (METRICS_PORT); absent: on `port`. */
  metricsPort?: number;
  subgraphUrls?: Record<string, string>;
  jwksUrl?: string;
  verifyAccessToken?: AccessTokenVerifier;
  /** Signs the gateway's credentials to the subgraphs (SERVICE_TOKEN_SECRET, shared with them). */
  serviceTokenSecret: string;
  port: number;
  host: string;
  logger: Logger;
  production?: boolean;
  /** GraphiQL at /explorer (and for browsers at /graphql), served from npm; default: not in production. */
  explorer?: boolean;
  /** The status page at /status (subgraphs' readiness, degraded dependencies); default: not in production. */
  statusPage?: boolean;
  /** Redis for persisted queries, cached responses and rate limits, shared by every instance. */
  redisUrl?: string;
  /** Prefix of the gateway's keys in that Redis (graphs side by side in tests get their own). */
  cachePrefix?: string;
  /** Per client IP and per user; GATEWAY_RATE_LIMITS by default, false for none. */
  rateLimits?: { perIp: RateLimit; perUser: RateLimit; prefix?: string } | false;
  /**
   * The browser origins allowed cross-origin (HTTP and socket.io) and to open WebSockets with an
   * Origin header. Absent: local web dev servers' (DEVELOPMENT_CORS_ORIGINS), none in production.
   */
  corsOrigins?: readonly string[];
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
  /** Identical subgraph queries in flight at once share one request (default true). */
  subgraphDeduplication?: boolean;
  /** Identical queries of one caller in flight at once are executed once (default true). */
  queryDeduplication?: boolean;
  /** An operation's entity fetches to one subgraph that start together go as one request (default true). */
  entityBatching?: boolean;
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
 * The single entry point: composes the subgraphs of a supergraph file, verifies the caller's
 * token once, routes operations, aggregates health and serves an explorer (GraphiQL) and a status
 * page outside production.
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayServer> {
  const { logger } = options;
  const production = Boolean(options.production);
  // Those of the supergraph served now (see supergraphUpdates).
  let subgraphs = subgraphsOf(options.supergraphSdl, options.subgraphUrls);
  const unknownCritical = (options.criticalSubgraphs ?? []).filter(
    (name) => !subgraphs.some((subgraph) => subgraph.name === name),
  );
  if (unknownCritical.length) {
    throw new Error(`CRITICAL_SUBGRAPHS names no subgraph of the supergraph: ${unknownCritical}`);
  }
  const caller = await verifiedCaller(options);
  const metrics = createMetrics('gateway');
  const graphqlMetrics = createGatewayMetrics(metrics);
  const subgraphHttp = keepAliveFetcher({
    maxResponseBytes: options.maxSubgraphResponseBytes,
    deduplicate: options.subgraphDeduplication,
  });
  const serviceTokens = createServiceTokenIssuer({
    secret: options.serviceTokenSecret,
    issuer: GATEWAY_SERVICE,
  });
  const { dataSources, dataSourceOf } = forwardingDataSources({
    subgraphs,
    fetcher: subgraphHttp.fetcher,
    metrics: graphqlMetrics,
    serviceTokens,
    entityBatching: options.entityBatching ?? true,
  });
  withoutApolloDataCollection();
  if (!useLeanResultShaping()) {
    logger.warn("Apollo's result shaping is not where this gateway expects it: left in place");
  }
  if (!useOperationReuse()) {
    logger.warn(
      "Apollo's operationFromDocument is not where this gateway expects it: left in place",
    );
  }
  const gateway = new ApolloGateway({
    supergraphSdl: polledSupergraph({
      initialSdl: options.supergraphSdl,
      updates: options.supergraphUpdates,
      check: (sdl) => subgraphsOf(sdl, options.subgraphUrls),
      logger,
      metrics,
    }),
    // Apollo skips it under NODE_ENV=production; a supergraph changed at run time must pass it.
    validateSupergraph: true,
    buildService: ({ name, url }) => dataSourceOf(name, url ?? ''),
  });
  const cache = await createCache({
    url: options.redisUrl,
    prefix: options.cachePrefix ?? 'gateway',
    logger,
    maxBytes: options.memoryCacheMaxBytes,
  });
  const rateLimit =
    options.rateLimits === false
      ? undefined
      : await createGatewayRateLimit({
          redisUrl: options.redisUrl,
          ...(options.rateLimits ?? GATEWAY_RATE_LIMITS),
          logger,
          principalOf: async (req) => (await caller.principalOf(req)).principal,
        });
  const limits = applyLimits(GATEWAY_LIMITS, { production });
  const explorerPage = explorer<GatewayContext>(options.explorer ?? !production);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  const httpServer = createServer(app);
  const apollo = createApolloServer<GatewayContext>(
    {
      httpServer,
      logger,
      limits,
      production,
      plugins: [
        errorCorrelation(),
        specStatusCodes(),
        graphqlMetrics.plugin as ApolloServerPlugin<GatewayContext>,
        ...responseCache(cache),
        explorerPage.landingPage,
      ],
    },
    {
      gateway: options.queryDeduplication === false ? gateway : sharingIdenticalQueries(gateway),
      allowBatchedHttpRequests: true,
      ...persistedDocuments(cache),
    },
  );
  await apollo.start();

  // Subscriptions on the same /graphql, over graphql-ws, under the same limits as HTTP operations.
  const subscriptions = createSubscriptionServer({
    supergraphSdl: options.supergraphSdl,
    subgraphs,
    dataSources,
    verifyAccessToken: caller.verify,
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
  // A new supergraph: new subscriptions and health checks follow it (HTTP operations via Apollo).
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    const updated = subgraphsOf(coreSupergraphSdl, options.subgraphUrls);
    subscriptions.useSupergraph(coreSupergraphSdl, updated);
    subgraphs = updated;
  });
  const corsOrigins = corsPolicy(corsOriginsFor(production, options.corsOrigins));
  const sockets = socketIoForwarding(subgraphs, logger, serviceTokens);
  sockets.attach(
    httpServer,
    { '/graphql': subscriptions.handleUpgrade },
    corsOrigins.allowsUpgrade,
  );
  // No async scope: the gateway passes the correlation id on itself (decision 0044).
  app.use(
    correlationId({ asyncScope: false }),
    traceRequests('gateway'),
    requestTiming(logger, metrics),
  );
  // Preflights are answered here, before socket.io's forwarding and Apollo (which refuses OPTIONS).
  app.use(['/graphql', SOCKET_IO_PATH], corsOrigins.http);
  // Before any body parser: long-polling bodies pass through untouched.
  app.use(sockets.http);
  const metricsServer = await metricsEndpoint(app, metrics, {
    port: options.metricsPort,
    host: options.host,
  });
  // Without the revocation store, tokens are judged on the last values read; without the cache,
  // persisted queries and cached responses are missed: degraded, still ready.
  const grace = {
    ms: options.criticalSubgraphGraceMs ?? CRITICAL_SUBGRAPH_GRACE_MS,
    lastReady: new Map<string, number>(),
  };
  const readiness = () =>
    checkSubgraphs(subgraphs, {
      critical: options.criticalSubgraphs,
      grace,
      degradable: { cache: cache.ping, revocations: caller.revocations.ping },
    });
  const health = healthRoutes(app, readiness);
  const status = statusPage({
    enabled: options.statusPage ?? !production,
    readiness,
    subgraphNames: subgraphs.map(({ name }) => name),
  });
  for (const pages of [explorerPage.routes, status]) if (pages) app.use(pages);
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    limitBatches(MAX_BATCH),
    ...(rateLimit ? [rateLimit] : []),
    expressMiddleware(apollo, { context: ({ req, res }) => caller.contextOf(req, res) }),
  );
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(notFound(), errorHandler(logger));

  // Drained first (out of the load balancer's rotation); what is in flight still finishes.
  const server = await serve(httpServer, { ...options, health }, async () => {
    await subscriptions.close();
    sockets.closeAll();
    await apollo.stop();
    await rateLimit?.close();
    await cache.close();
    await caller.close();
    subgraphHttp.close();
    await metricsServer.close();
    logger.info('gateway stopped');
  });
  logger.info('gateway ready', {
    url: server.url,
    subgraphs: subgraphs.map((s) => `${s.name}=${s.url}`),
  });
  return {
    ...server,
    metricsPort: metricsServer.port,
    subscriptions: {
      upstreamSockets: subscriptions.upstreamSockets,
      activeSubscriptions: subscriptions.activeSubscriptions,
    },
  };
}
