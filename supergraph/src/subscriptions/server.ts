import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { bearerToken, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import { createErrorFormatter, ErrorCode } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import { CORRELATION_HEADER } from '@fitnexa/shared/middleware';
import {
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../server';
import type { SubgraphEndpoint } from '../subgraphs';
import { channel } from './channel';
import {
  createSubscriptionPlanner,
  EVENT_SOURCE,
  type PlannedSubscription,
  type SubscriptionPlannerOptions,
} from './planner';
import { createUpstreams, type ConnectionUpstreams } from './upstream';

export interface SubscriptionServerOptions extends SubscriptionPlannerOptions {
  subgraphs: SubgraphEndpoint[];
  /** The gateway's data sources by subgraph: entity fetches go the way queries' fetches go. */
  dataSources: ServiceMap;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
  /** Largest client message, in bytes. */
  maxPayload: number;
  /** Reconnections to a dropped subgraph before the client's subscription ends in error. */
  upstreamRetryAttempts?: number;
  /** A client that has not sent `connection_init` by then is closed with 4408 (default 3 s). */
  connectionInitTimeoutMs?: number;
  /** Gauges: client connections, client subscriptions, upstream sockets. */
  metrics?: {
    connections(count: number): void;
    subscriptions(count: number): void;
    upstreamSockets(count: number): void;
  };
}

interface ConnectionState {
  context: GatewayContext;
  upstreams: ConnectionUpstreams;
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
    onSocketCount: options.metrics?.upstreamSockets,
  });
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

  function subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
    const request = args.contextValue as SubscriptionRequest;
    const { primary } = request.planned;
    const variables = Object.fromEntries(
      (primary.variableUsages ?? [])
        .filter((name) => request.variables[name] !== undefined)
        .map((name) => [name, request.variables[name]]),
    );
    let unsubscribe = () => {};
    const live = channel<ExecutionResult>(() => unsubscribe());
    countSubscriptions(1);
    let counted = true;
    const uncount = () => {
      if (counted) countSubscriptions(-1);
      counted = false;
    };
    const subgraph = primary.serviceName;
    const client = request.state.upstreams.client(subgraph, urls.get(subgraph)!);
    const stop = client.subscribe<Record<string, unknown>, unknown>(
      { query: primary.operation, operationName: primary.operationName, variables },
      {
        next: (event) => live.push(resolveEvent(request, event)),
        error: (error) => {
          uncount();
          if (Array.isArray(error)) {
            live.end(new UpstreamFailure((error as GraphQLFormattedError[]).map(toGraphQLError)));
            return;
          }
          const reason =
            error instanceof Error
              ? error.message
              : `closed ${(error as { code?: number }).code ?? ''} ${(error as { reason?: string }).reason ?? ''}`.trim();
          logger.warn('upstream subscription lost', { subgraph, reason });
          live.end(
            new UpstreamFailure([
              new GraphQLError(`The ${subgraph} subgraph is unavailable: ${reason}`, {
                extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
              }),
            ]),
          );
        },
        complete: () => {
          uncount();
          live.end();
        },
      },
    );
    unsubscribe = () => {
      uncount();
      stop();
    };
    return live.iterator;
  }

  const disposable = useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 3_000,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : undefined;
        try {
          const accessToken = bearerToken(header);
          const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
          const request = (ctx.extra as { request: IncomingMessage }).request;
          const given = params[CORRELATION_HEADER] ?? request.headers[CORRELATION_HEADER];
          const correlationId =
            typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
          states.set(ctx, {
            context: { principal, accessToken, correlationId },
            upstreams: upstreams.forConnection({
              ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
              [CORRELATION_HEADER]: correlationId,
            }),
          });
          return true;
        } catch {
          return false;
        }
      },
      async onClose(ctx) {
        await states.get(ctx)?.upstreams.close();
        states.delete(ctx);
      },
      onSubscribe(ctx, _id, payload) {
        const state = states.get(ctx);
        if (!state) return [new GraphQLError('Not connected')];
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
  );

  return {
    /** Takes a WebSocket upgrade for `/graphql`. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    /** Upstream graphql-ws sockets open or opening (0 once every client let go). */
    upstreamSockets: () => upstreams.openSockets(),
    /** Client subscriptions running. */
    activeSubscriptions: () => subscriptions,
    /** Ends every client connection (1001 going away), and with them the upstream ones. */
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export type SubscriptionServer = ReturnType<typeof createSubscriptionServer>;
