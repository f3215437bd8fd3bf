import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceMap } from '@apollo/gateway';
import type { AccessTokenVerifier, ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { createErrorFormatter, ErrorCode, FitnexaError } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import { CALLER_EXTENSION, serveGraphqlWs } from '@fitnexa/shared/realtime';
import {
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { WebSocketServer } from 'ws';
import type { SubgraphEndpoint } from '../subgraphs';
import { shareAcrossCallers } from './across-callers';
import { subscriptionBounds, type SubscriptionBounds } from './bounds';
import { createConnections } from './connection';
import {
  createEventExecution,
  toGraphQLError,
  type Delivery,
  type ReceivedEvent,
  type SubscriptionRequest,
} from './execution';
import {
  createSubscriptionPlanner,
  type PlannedSubscription,
  type SubscriptionPlannerOptions,
} from './planner';
import { createNextFrames } from './frames';
import { createSharing, type UpstreamHandle, type UpstreamSink } from './sharing';
import { upstreamRequest } from './resume';
import { createUpstreams } from './upstream';
import { traceSubscriptionStart, upstreamTraceHeaders } from './tracing';

export interface SubscriptionServerOptions extends SubscriptionPlannerOptions, SubscriptionBounds {
  subgraphs: SubgraphEndpoint[];
  /** The gateway's data sources by subgraph: entity fetches go the way queries' fetches go. */
  dataSources: ServiceMap;
  verifyAccessToken: AccessTokenVerifier;
  /** The gateway's service credentials, which subgraphs require of upstream connections. */
  serviceTokens: ServiceTokenIssuer;
  logger: Logger;
  /** Largest client message, in bytes. */
  maxPayload: number;
  /** Reconnections to a dropped subgraph before the client's subscription ends in error. */
  upstreamRetryAttempts?: number;
  /** A client that has not sent `connection_init` by then is closed with 4408 (default 3 s). */
  connectionInitTimeoutMs?: number;
  /** The client's address for the per-IP bound (the socket's peer by default). */
  clientIp?(request: IncomingMessage): string | undefined;
  /** Gauges: client connections, client subscriptions, upstream sockets. */
  metrics?: {
    connections(count: number): void;
    subscriptions(count: number): void;
    upstreamSockets(count: number): void;
    /** Seconds from an upstream event's arrival to its result handed to every subscriber. */
    fanOut(seconds: number): void;
  };
}

const urlsOf = (subgraphs: SubgraphEndpoint[]) =>
  new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));

/** The upstream ended the subscription with errors (or went away): the client's ends with these. */
class UpstreamFailure extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors[0]?.message ?? 'The subscription failed upstream');
  }
}

/**
 * Upstream subscriptions are shared only within one caller: the key holds the access token, so
 * two users (or two tokens of one user) never share an upstream subscription, and each is
 * authorised (and ended) by the subgraph itself. An event's result may be shared beyond the
 * caller only as ./across-callers allows.
 */
function sharingKey(request: SubscriptionRequest): string {
  return JSON.stringify([
    request.planned.graph.id,
    request.state.caller,
    request.planned.primary.serviceName,
    request.operationName ?? null,
    request.query,
    request.variables,
  ]);
}

/**
 * Federated subscriptions at the gateway: graphql-ws (subprotocol `graphql-transport-ws`) on the
 * gateway's `/graphql`. A subscription is validated against the API schema (with the gateway's
 * limits) and planned by Apollo's query planner; its root field goes to the owning subgraph over
 * graphql-ws with the client's token, and for every event the fields other subgraphs own are
 * resolved by Apollo's executor through the gateway's own data sources (batched entity fetches).
 * Client connections: ./connection; sharing of upstream subscriptions: ./sharing; the per-event
 * plan: ./execution; upstream connections: ./upstream.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions) {
  const { logger } = options;
  // Replaced by `useSupergraph`: new subscriptions plan on the new graph, open ones keep theirs.
  let planner = createSubscriptionPlanner(options);
  let urls = urlsOf(options.subgraphs);
  const formatError = createErrorFormatter(logger);
  const upstreams = createUpstreams({
    retryAttempts: options.upstreamRetryAttempts ?? 5,
    serviceTokens: options.serviceTokens,
    onSocketCount: options.metrics?.upstreamSockets,
  });
  const bounds = subscriptionBounds(options);
  const nextFrames = createNextFrames({ maxBufferedBytes: bounds.maxBufferedBytes });
  const connectionHandling = createConnections({
    verifyAccessToken: options.verifyAccessToken,
    bounds,
    clientIp: options.clientIp ?? ((request) => request.socket.remoteAddress),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  let connections = 0;
  wss.on('connection', (socket) => {
    options.metrics?.connections(++connections);
    socket.once('close', () => options.metrics?.connections(--connections));
  });
  const format = (error: GraphQLError) => formatError(error.toJSON(), error);

  /**
   * The request's root field as a subscription to its subgraph, on the gateway's connection to it,
   * naming the caller.
   */
  function openUpstream(
    request: SubscriptionRequest,
    sink: UpstreamSink<ReceivedEvent>,
  ): UpstreamHandle {
    const { primary } = request.planned;
    // Resumable fields re-subscribe after the last event received (./resume).
    const upstream = upstreamRequest(
      primary,
      request.planned.graph.apiGraphqlSchema,
      request.variables,
    );
    const subgraph = primary.serviceName;
    const traceContext = upstreamTraceHeaders(request.trace);
    const lease = upstreams.lease(subgraph, urls.get(subgraph)!);
    const stop = lease.subscribe(
      {
        query: upstream.query,
        operationName: primary.operationName,
        variables: upstream.variables,
        // Its caller (token, correlation id) and trace context, which the subgraph continues.
        extensions: { ...traceContext, [CALLER_EXTENSION]: request.state.connectionParams },
      },
      {
        next: (event, json) => sink.next({ result: upstream.received(event), json }),
        error: (error) => {
          if (Array.isArray(error)) {
            const errors = (error as GraphQLFormattedError[]).map(toGraphQLError);
            const failed = () => sink.error(new UpstreamFailure(errors));
            if (!errors.some(({ extensions }) => extensions.code === ErrorCode.UNAUTHENTICATED)) {
              return failed();
            }
            // The subgraph refused the caller's token (revoked) before the gateway's own watch
            // saw it: the caller's connections are closed with 4403 as the gateway would close
            // them. A token the gateway still accepts gets the subgraph's errors.
            void connectionHandling.recheck(request.state.caller).then((closed) => {
              if (!closed) failed();
            });
            return;
          }
          const { code, reason: closeReason } = error as { code?: number; reason?: string };
          const reason =
            error instanceof Error
              ? error.message
              : `closed ${code ?? ''} ${closeReason ?? ''}`.trim();
          logger.warn('upstream subscription lost', { subgraph, reason });
          sink.error(
            new UpstreamFailure([
              new GraphQLError(`The ${subgraph} subgraph is unavailable: ${reason}`, {
                extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
              }),
            ]),
          );
        },
        complete: () => sink.complete(),
      },
    );
    return { stop, release: () => lease.release() };
  }

  const execute = createEventExecution({ dataSources: options.dataSources, logger });
  /** The result as its `next` payload: errors formatted as every error of the gateway is. */
  const serialise = (result: ExecutionResult): Delivery => {
    const errors = result.errors?.map((error) => format(error as GraphQLError));
    return {
      payload: JSON.stringify(errors ? { ...result, errors } : result),
      failed: !!errors?.length,
    };
  };
  const sharing = createSharing({
    key: sharingKey,
    open: openUpstream,
    resolve: shareAcrossCallers({
      resolve: async (request, event) => serialise(await execute(request, event)),
    }),
    onSubscriberCount: (count) => options.metrics?.subscriptions(count),
    onFannedOut: (seconds) => options.metrics?.fanOut(seconds),
  });

  const disposable = serveGraphqlWs<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 3_000,
      onConnect: (ctx) => connectionHandling.onConnect(ctx),
      // graphql-ws returns every subscription of a closed connection first, which lets go of
      // its share of the upstream subscriptions and connections.
      onClose: (ctx) => connectionHandling.onClose(ctx),
      async onSubscribe(ctx, id, payload) {
        const state = connectionHandling.state(ctx);
        if (!state) return [new GraphQLError('Not connected')];
        // This one's id is in `subscriptions` already.
        if (Object.keys(ctx.subscriptions).length > bounds.maxSubscriptionsPerConnection) {
          return [
            new FitnexaError(
              ErrorCode.BAD_REQUEST,
              `A connection holds at most ${bounds.maxSubscriptionsPerConnection} subscriptions`,
            ),
          ];
        }
        // The token was checked at connect; a revocation since then refuses new subscriptions.
        if (state.context.accessToken) {
          try {
            await options.verifyAccessToken(state.context.accessToken);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
        }
        let planned: PlannedSubscription;
        try {
          planned = planner.plan(payload.query, payload.operationName ?? undefined);
        } catch (errors) {
          if (Array.isArray(errors)) return errors as GraphQLError[];
          throw errors;
        }
        const variables = payload.variables ?? {};
        const invalid = planner.variableErrors(planned, variables);
        if (invalid.length) return invalid;
        // graphql-ws's own `next` for this id, the payload serialised once for all who share it
        // and written as a frame built once where the bytes are the same (./frames).
        const sendNext = nextFrames.sender(id, ctx.extra.socket, ctx.extra.send);
        const request: SubscriptionRequest = {
          state,
          planned,
          query: payload.query,
          operationName: payload.operationName ?? undefined,
          variables,
          trace: traceSubscriptionStart(
            payload.operationName ?? planned.operationContext.operation.name?.value,
            ctx.connectionParams,
          ),
          deliver(delivery) {
            // Not once graphql-ws let go of it (the client completed it).
            if (id in ctx.subscriptions) sendNext(delivery);
          },
        };
        return {
          schema: planned.graph.apiGraphqlSchema,
          document: planned.document,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: request,
        };
      },
      // Events go to the socket by `deliver`; graphql-ws runs the rest (complete, error, close).
      subscribe: (args: ExecutionArgs) => {
        const request = args.contextValue as SubscriptionRequest;
        return sharing.subscribe(request, (delivery) => request.deliver(delivery));
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.flatMap((error) =>
          error.originalError instanceof UpstreamFailure
            ? error.originalError.errors.map(format)
            : [format(error)],
        ),
    },
    wss,
    { logger, maxBufferedBytes: bounds.maxBufferedBytes },
  );

  return {
    /** Takes a WebSocket upgrade for `/graphql`; past the per-address bound, closes it with 4029. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (connectionHandling.admit(request, ws)) wss.emit('connection', ws, request);
      });
    },
    /**
     * Plans new subscriptions on this supergraph from now on; the open ones go on with the graph
     * (and the subgraph URLs) they started with. Throws, changing nothing, when it does not build.
     */
    useSupergraph(supergraphSdl: string, subgraphs: SubgraphEndpoint[]) {
      planner = createSubscriptionPlanner({ ...options, supergraphSdl });
      urls = urlsOf(subgraphs);
    },
    /** Upstream graphql-ws sockets open or opening (0 once every client let go). */
    upstreamSockets: () => upstreams.openSockets(),
    /** Client subscriptions running. */
    activeSubscriptions: () => sharing.subscribers(),
    /** Upstream subscriptions running (client subscriptions of one caller share them). */
    upstreamSubscriptions: () => sharing.upstreams(),
    /** Ends every client connection (1001 going away), and with them the upstream ones. */
    async close() {
      connectionHandling.stop();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await upstreams.close();
    },
  };
}

export type SubscriptionServer = ReturnType<typeof createSubscriptionServer>;
