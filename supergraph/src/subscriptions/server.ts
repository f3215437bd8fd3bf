import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { channel } from '@fitnexa/shared/api';
import {
  bearerToken,
  type AccessTokenVerifier,
  type ServiceTokenIssuer,
} from '@fitnexa/shared/auth';
import { watchRevokedConnections } from '@fitnexa/shared/auth/revocations';
import { createErrorFormatter, ErrorCode, FitnexaError } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import { CORRELATION_HEADER } from '@fitnexa/shared/middleware';
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  RealtimeCloseCode,
  serveGraphqlWs,
} from '@fitnexa/shared/realtime';
import {
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context';
import type { SubgraphEndpoint } from '../subgraphs';
import {
  createSubscriptionPlanner,
  EVENT_SOURCE,
  type PlannedSubscription,
  type SubscriptionPlannerOptions,
} from './planner';
import { createUpstreams, type UpstreamLease } from './upstream';

/** What one client may hold open; each has a default (DEFAULT_SUBSCRIPTION_BOUNDS). */
export interface SubscriptionBounds {
  /** Subscriptions on one connection; the next is refused with BAD_REQUEST. */
  maxSubscriptionsPerConnection?: number;
  /** Connections of one signed-in user; the next is closed with 4029. */
  maxConnectionsPerUser?: number;
  /** Connections from one client address; the next is closed with 4029. */
  maxConnectionsPerIp?: number;
  /** Unread bytes queued for a client; past them it is closed with 4013. */
  maxBufferedBytes?: number;
}

export const DEFAULT_SUBSCRIPTION_BOUNDS: Required<SubscriptionBounds> = {
  maxSubscriptionsPerConnection: 100,
  maxConnectionsPerUser: 20,
  maxConnectionsPerIp: 100,
  maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
};

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
  };
}

interface ConnectionState {
  context: GatewayContext;
  /** Who the subgraphs see: the access token ('' without one). Sharing never crosses it. */
  caller: string;
  /** What the upstream connection is opened with: the token and the correlation id. */
  connectionParams: Record<string, unknown>;
}

/** What onSubscribe hands to `subscribe` as the operation's context. */
interface SubscriptionRequest {
  state: ConnectionState;
  planned: PlannedSubscription;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

type RequestContext = Parameters<typeof executeQueryPlan>[2];

/** A client subscription fed by a shared upstream subscription. */
interface Subscriber {
  push(result: Promise<ExecutionResult>): void;
  end(error?: unknown): void;
}

/**
 * One upstream subscription and one run of the per-event plan for every client subscription of
 * the same caller (access token) with the same subgraph, operation and variables: each event is
 * resolved once and the same result handed to all of them.
 */
interface SharedSubscription {
  subscribers: Set<Subscriber>;
  stop(): void;
}

/** The upstream ended the subscription with errors (or went away): the client's ends with these. */
class UpstreamFailure extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors[0]?.message ?? 'The subscription failed upstream');
  }
}

const toGraphQLError = (error: GraphQLFormattedError) =>
  new GraphQLError(error.message, { path: error.path, extensions: error.extensions });

/**
 * Federated subscriptions at the gateway: graphql-ws (subprotocol `graphql-transport-ws`) on the
 * gateway's `/graphql`. A subscription is validated against the API schema (with the gateway's
 * limits) and planned by Apollo's query planner; its root field goes to the owning subgraph over
 * graphql-ws with the client's token, and for every event the fields other subgraphs own are
 * resolved by Apollo's executor through the gateway's own data sources (batched entity fetches).
 */
export function createSubscriptionServer(options: SubscriptionServerOptions) {
  const { logger } = options;
  const planner = createSubscriptionPlanner(options);
  const urls = new Map(options.subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const formatError = createErrorFormatter(logger);
  const upstreams = createUpstreams({
    retryAttempts: options.upstreamRetryAttempts ?? 5,
    serviceTokens: options.serviceTokens,
    onSocketCount: options.metrics?.upstreamSockets,
  });
  const bounds = { ...DEFAULT_SUBSCRIPTION_BOUNDS, ...definedOnly(options) };
  const clientIp = options.clientIp ?? ((request) => request.socket.remoteAddress);
  const perIp = new Counts();
  const perUser = new Counts();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  let connections = 0;
  let subscriptions = 0;
  const countSubscriptions = (delta: number) => {
    subscriptions += delta;
    options.metrics?.subscriptions(subscriptions);
  };
  wss.on('connection', (socket) => {
    options.metrics?.connections(++connections);
    socket.once('close', () => options.metrics?.connections(--connections));
  });

  const states = new WeakMap<object, ConnectionState>();
  const format = (error: GraphQLError) => formatError(error.toJSON(), error);

  /** One event through the rest of the plan: the other subgraphs' fields, then the response shape. */
  async function resolveEvent(
    request: SubscriptionRequest,
    event: FormattedExecutionResult<Record<string, unknown>, unknown>,
  ): Promise<ExecutionResult> {
    const upstreamErrors = (event.errors ?? []).map(toGraphQLError);
    if (event.data == null) return { data: null, errors: upstreamErrors };
    const data = event.data;
    const eventSource: GraphQLDataSource = { process: async () => ({ data }) };
    const { planned } = request;
    const requestContext = {
      request: {
        query: request.query,
        operationName: request.operationName,
        variables: request.variables,
      },
      context: request.state.context,
      logger,
      metrics: {},
      document: planned.document,
      operation: planned.operationContext.operation,
      operationName: request.operationName ?? null,
      source: request.query,
      schema: planner.apiGraphqlSchema,
    } as unknown as RequestContext;
    try {
      const result = await executeQueryPlan(
        planned.perEvent,
        { ...options.dataSources, [EVENT_SOURCE]: eventSource },
        requestContext,
        planned.operationContext,
        planner.supergraphSchema,
        planner.apiSchema,
      );
      const errors = [...upstreamErrors, ...(result.errors ?? [])] as GraphQLError[];
      return errors.length ? { data: result.data, errors } : { data: result.data };
    } catch (error) {
      return {
        data: null,
        errors: [
          new GraphQLError('The event could not be resolved', {
            originalError: error instanceof Error ? error : new Error(String(error)),
          }),
        ],
      };
    }
  }

  const shared = new Map<string, SharedSubscription>();

  /**
   * Subscriptions are shared only within one caller: the key holds the access token, so two users
   * (or two tokens of one user) never share an upstream subscription or an execution, and what
   * the subgraphs authorise for one caller is never seen by another.
   */
  function sharingKey(request: SubscriptionRequest): string {
    return JSON.stringify([
      request.state.caller,
      request.planned.primary.serviceName,
      request.operationName ?? null,
      request.query,
      request.variables,
    ]);
  }

  /** The upstream subscription for `request`'s key, opened for its first subscriber. */
  function openShared(key: string, request: SubscriptionRequest): SharedSubscription {
    const { primary } = request.planned;
    const variables = Object.fromEntries(
      (primary.variableUsages ?? [])
        .filter((name) => request.variables[name] !== undefined)
        .map((name) => [name, request.variables[name]]),
    );
    const subgraph = primary.serviceName;
    const lease: UpstreamLease = upstreams.lease(
      request.state.caller,
      request.state.connectionParams,
      subgraph,
      urls.get(subgraph)!,
    );
    const subscribers = new Set<Subscriber>();
    let ended = false;
    /** The upstream subscription is over: nobody joins it any more, its connection is let go. */
    const finish = () => {
      if (ended) return false;
      ended = true;
      if (shared.get(key) === entry) shared.delete(key);
      return true;
    };
    const endAll = (error?: unknown) => {
      const all = [...subscribers];
      subscribers.clear();
      for (const subscriber of all) subscriber.end(error);
    };
    let stopUpstream = () => {};
    const entry: SharedSubscription = {
      subscribers,
      stop() {
        if (!finish()) return;
        stopUpstream();
        lease.release();
      },
    };
    shared.set(key, entry);
    stopUpstream = lease.client.subscribe<Record<string, unknown>, unknown>(
      { query: primary.operation, operationName: primary.operationName, variables },
      {
        next: (event) => {
          if (!subscribers.size) return;
          // Resolved once, for every subscriber: they share caller, operation and variables.
          const result = resolveEvent(request, event);
          for (const subscriber of subscribers) subscriber.push(result);
        },
        error: (error) => {
          if (!finish()) return;
          lease.release();
          if (Array.isArray(error)) {
            endAll(new UpstreamFailure((error as GraphQLFormattedError[]).map(toGraphQLError)));
            return;
          }
          const reason =
            error instanceof Error
              ? error.message
              : `closed ${(error as { code?: number }).code ?? ''} ${(error as { reason?: string }).reason ?? ''}`.trim();
          logger.warn('upstream subscription lost', { subgraph, reason });
          endAll(
            new UpstreamFailure([
              new GraphQLError(`The ${subgraph} subgraph is unavailable: ${reason}`, {
                extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
              }),
            ]),
          );
        },
        complete: () => {
          if (!finish()) return;
          lease.release();
          endAll();
        },
      },
    );
    return entry;
  }

  function subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
    const request = args.contextValue as SubscriptionRequest;
    const key = sharingKey(request);
    const entry = shared.get(key) ?? openShared(key, request);
    countSubscriptions(1);
    let counted = true;
    const uncount = () => {
      if (counted) countSubscriptions(-1);
      counted = false;
    };
    const live = channel<ExecutionResult>(() => {
      uncount();
      entry.subscribers.delete(subscriber);
      if (!entry.subscribers.size) entry.stop();
    });
    const subscriber: Subscriber = {
      push: live.push,
      end(error) {
        uncount();
        live.end(error);
      },
    };
    entry.subscribers.add(subscriber);
    return live.iterator;
  }

  // A connection whose token is revoked is closed as one refused at connect would be.
  const revoked = watchRevokedConnections(options.verifyAccessToken);
  const disposable = serveGraphqlWs<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 3_000,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : undefined;
        try {
          const accessToken = bearerToken(header);
          const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
          const { request, socket } = ctx.extra;
          // Gone while its token was checked: nothing to count (its close has passed).
          if (socket.readyState !== socket.OPEN) return false;
          if (principal && !perUser.take(principal.userId, bounds.maxConnectionsPerUser, socket)) {
            // graphql-ws's own 4403 that follows `false` finds the socket closing already.
            socket.close(
              RealtimeCloseCode.TooManyConnections,
              'Too many connections for this user',
            );
            return false;
          }
          if (accessToken) revoked.watch(ctx, accessToken, () => socket.close(4403, 'Forbidden'));
          const given = params[CORRELATION_HEADER] ?? request.headers[CORRELATION_HEADER];
          const correlationId =
            typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
          states.set(ctx, {
            context: { principal, accessToken, correlationId },
            caller: accessToken ?? '',
            connectionParams: {
              ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
              [CORRELATION_HEADER]: correlationId,
            },
          });
          return true;
        } catch {
          return false;
        }
      },
      // graphql-ws returns every subscription of a closed connection first, which lets go of
      // its share of the upstream subscriptions and connections.
      onClose(ctx) {
        revoked.unwatch(ctx);
        states.delete(ctx);
      },
      async onSubscribe(ctx, _id, payload) {
        const state = states.get(ctx);
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
        const request: SubscriptionRequest = {
          state,
          planned,
          query: payload.query,
          operationName: payload.operationName ?? undefined,
          variables,
        };
        return {
          schema: planner.apiGraphqlSchema,
          document: planned.document,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: request,
        };
      },
      subscribe,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((error) => format(error as GraphQLError)) }
          : undefined,
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
        if (!perIp.take(clientIp(request) ?? '', bounds.maxConnectionsPerIp, ws)) {
          ws.close(RealtimeCloseCode.TooManyConnections, 'Too many connections from this address');
          return;
        }
        wss.emit('connection', ws, request);
      });
    },
    /** Upstream graphql-ws sockets open or opening (0 once every client let go). */
    upstreamSockets: () => upstreams.openSockets(),
    /** Client subscriptions running. */
    activeSubscriptions: () => subscriptions,
    /** Upstream subscriptions running (client subscriptions of one caller share them). */
    upstreamSubscriptions: () => shared.size,
    /** Ends every client connection (1001 going away), and with them the upstream ones. */
    async close() {
      revoked.stop();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await upstreams.close();
    },
  };
}

export type SubscriptionServer = ReturnType<typeof createSubscriptionServer>;

/** Open connections by key (user, address), each given back when its socket closes. */
class Counts {
  private readonly counts = new Map<string, number>();

  /** Counts `socket` under `key` unless `max` are open already. */
  take(key: string, max: number, socket: { once(event: 'close', listener: () => void): unknown }) {
    const open = this.counts.get(key) ?? 0;
    if (open >= max) return false;
    this.counts.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    });
    return true;
  }
}

function definedOnly(bounds: SubscriptionBounds): SubscriptionBounds {
  return Object.fromEntries(
    Object.entries({
      maxSubscriptionsPerConnection: bounds.maxSubscriptionsPerConnection,
      maxConnectionsPerUser: bounds.maxConnectionsPerUser,
      maxConnectionsPerIp: bounds.maxConnectionsPerIp,
      maxBufferedBytes: bounds.maxBufferedBytes,
    }).filter(([, value]) => value !== undefined),
  );
}
