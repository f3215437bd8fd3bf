import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import { WebSocketServer } from 'ws';
import { SERVICE_TOKEN_HEADER, type AccessTokenVerifier, type ServiceTokenVerifier } from '../auth';
import { TokenRevokedError, watchRevokedConnections } from '../auth/revocations';
import { createErrorFormatter, ErrorCode } from '../errors';
import { operationSameForEveryCaller } from '../graphql/same-for-every-caller';
import { MAX_BODY_BYTES, nulCharacterError, nulCharacterIn, type AppliedLimits } from '../limits';
import type { Logger } from '../logger/types';
import type { Principal } from '../types';
import { connectionAccessToken, subscriptionCallerToken } from './connection-params';
import { createFanOut, createOutbox, type Outbox } from './fan-out';
import { CALLERS_PARAM, CALLERS_PER_SUBSCRIPTION } from './fan-out-protocol';
import { serveGraphqlWs, type WsExtra } from './ws-server';
import { traceConnectionStart } from '../telemetry/realtime';

export interface GraphqlWsOptions<TContext> {
  schema: GraphQLSchema;
  /** The service whose spans the subscriptions' starts are (tracing); default `graphql-ws`. */
  service?: string;
  /** Where GraphQL is served over HTTP; subscriptions share the path, as clients expect. */
  path: string;
  verifyAccessToken: AccessTokenVerifier;
  /**
   * Only connections whose `connectionParams` carry a valid service credential (`x-fitnexa-service`,
   * the gateway's) are taken; others are closed with 4403 and reason SERVICE_UNAUTHENTICATED.
   */
  verifyServiceToken?: ServiceTokenVerifier;
  context(base: { principal: Principal | null; accessToken: string | null }): TContext;
  logger: Logger;
  /** Unread bytes after which a client is dropped with 4013 (default DEFAULT_MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** The same limits as the service's HTTP operations (depth, cost, aliases, tokens…). */
  limits: AppliedLimits;
}

interface CallerState {
  principal: Principal | null;
  accessToken: string | null;
}

/** A connection: its caller's, or (shared by the gateway's callers) the outbox of its frames. */
interface ConnectionState extends CallerState {
  shared?: Outbox;
}

/** A subscription of a shared connection, between onSubscribe and graphql-ws's `subscribe`. */
interface SharedSubscription {
  id: string;
  outbox: Outbox;
  shareKey: string | undefined;
  accessToken: string | null;
}

/**
 * GraphQL subscriptions over graphql-ws (subprotocol `graphql-transport-ws`) on `path`. The access
 * token comes in `connectionParams` (`{ authorization: 'Bearer …' }`, see `connectionAccessToken`);
 * a connection with a bad one is closed with 4403, one without any may connect and gets
 * UNAUTHENTICATED from the resolvers that need a user. With `verifyServiceToken`, only the gateway
 * (a service credential) may connect at all, and it may ask for a connection shared by its
 * callers (`CALLERS_PARAM`): each subscription then names its caller in its `extensions`, is
 * authorised, watched for revocation and ended on its own, and its events are written through
 * the fan-out (./fan-out, decision 0043). Other upgrade paths are left to their owners
 * (socket.io) or refused. A client that stops reading is dropped with 4013 (see `serveGraphqlWs`).
 */
export function attachGraphqlWs<TContext>(
  httpServer: HttpServer,
  options: GraphqlWsOptions<TContext>,
  otherUpgradePaths: readonly string[] = [],
) {
  // A message is at most what an HTTP body may be.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const formatError = createErrorFormatter(options.logger);
  const { limits } = options;
  const rules = [...specifiedRules, ...limits.validationRules];
  const coded = (error: GraphQLError, code: string) =>
    new GraphQLError(
      limits.hideSuggestions ? error.message.replace(/ Did you mean .*$/, '') : error.message,
      { nodes: error.nodes, extensions: { ...error.extensions, code } },
    );
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === options.path) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    } else if (!otherUpgradePaths.some((prefix) => path.startsWith(prefix))) {
      socket.destroy();
    }
  };
  httpServer.on('upgrade', onUpgrade);

  const states = new WeakMap<object, ConnectionState>();
  const sharedSubscriptions = new WeakMap<ExecutionArgs, SharedSubscription>();
  // A connection whose token is revoked is closed as one refused at connect would be; on a shared
  // connection, the subscriptions of the revoked token end with UNAUTHENTICATED.
  const revoked = watchRevokedConnections(options.verifyAccessToken);
  const format = (error: GraphQLError) =>
    formatError(error.toJSON(), error instanceof GraphQLError ? error : undefined);
  const fanOut = createFanOut({
    serialise: (result) =>
      JSON.stringify(
        result.errors
          ? { ...result, errors: result.errors.map((error) => format(error as GraphQLError)) }
          : result,
      ),
  });
  const closeWith = (ctx: { extra: WsExtra }, code: number, reason: string) =>
    ctx.extra.socket.close(code, reason);

  const disposable = serveGraphqlWs(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        if (options.verifyServiceToken) {
          const credential = params[SERVICE_TOKEN_HEADER];
          try {
            await options.verifyServiceToken(typeof credential === 'string' ? credential : null);
          } catch {
            // graphql-ws would close with 4403 "Forbidden"; the reason says which check failed.
            closeWith(ctx, 4403, ErrorCode.SERVICE_UNAUTHENTICATED);
            return false;
          }
        }
        if (params[CALLERS_PARAM] === CALLERS_PER_SUBSCRIPTION) {
          // Only the gateway's own connections carry other people's subscriptions.
          if (!options.verifyServiceToken) return false;
          states.set(ctx, {
            principal: null,
            accessToken: null,
            shared: createOutbox(ctx.extra.send),
          });
          return true;
        }
        try {
          const accessToken = connectionAccessToken(params);
          const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
          states.set(ctx, { principal, accessToken });
          if (accessToken) revoked.watch(ctx, accessToken, () => closeWith(ctx, 4403, 'Forbidden'));
          return true;
        } catch {
          return false;
        }
      },
      onClose: (ctx) => revoked.unwatch(ctx),
      // Parsed and validated here rather than by graphql-ws: under the limits, with error codes.
      // The token was checked at connect; a revocation since then refuses new subscriptions.
      async onSubscribe(ctx, id, payload) {
        const connection = states.get(ctx);
        let caller: CallerState = connection ?? { principal: null, accessToken: null };
        try {
          if (connection?.shared) {
            const accessToken = subscriptionCallerToken(payload.extensions);
            const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
            caller = { principal, accessToken };
          } else if (caller.accessToken) {
            await options.verifyAccessToken(caller.accessToken);
          }
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, limits.parseOptions);
        } catch (error) {
          const syntax = error instanceof GraphQLError ? error : new GraphQLError(String(error));
          return [coded(syntax, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(options.schema, document, rules);
        if (invalid.length)
          return invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED'));
        const nul = nulCharacterIn(document, payload.variables ?? undefined);
        if (nul) return [nulCharacterError(nul)];
        // The gateway sends each subscription's trace context in its `extensions`.
        traceConnectionStart(
          options.service ?? 'graphql-ws',
          `subscription ${payload.operationName ?? '(anonymous)'}`,
          payload.extensions,
          ctx.connectionParams,
        );
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: options.context(caller),
        };
        if (connection?.shared) {
          const shareable = operationSameForEveryCaller(
            options.schema,
            document,
            payload.operationName,
          );
          sharedSubscriptions.set(args, {
            id,
            outbox: connection.shared,
            accessToken: caller.accessToken,
            // JSON has no raw line break: the parts cannot run into each other.
            shareKey: shareable
              ? [
                  caller.principal ? 'signed-in' : 'signed-out',
                  payload.operationName ?? '',
                  payload.query,
                  JSON.stringify(payload.variables ?? null),
                ].join('\n')
              : undefined,
          });
        }
        return args;
      },
      // A subscription of a shared connection runs through the fan-out, any other as graphql's.
      async subscribe(args) {
        const shared = sharedSubscriptions.get(args);
        if (!shared) return subscribe(args);
        // Watched before it runs: it may end before `subscribe` returns.
        const watched = {};
        let cancel: ((error: Error) => void) | undefined;
        let revokedMeanwhile = false;
        if (shared.accessToken) {
          revoked.watch(watched, shared.accessToken, () => {
            if (cancel) cancel(new TokenRevokedError());
            else revokedMeanwhile = true;
          });
        }
        const onEnd = () => revoked.unwatch(watched);
        try {
          const running = await fanOut.subscribe(args, { ...shared, onEnd });
          if (!('iterator' in running)) return running;
          cancel = running.cancel;
          if (revokedMeanwhile) cancel(new TokenRevokedError());
          return running.iterator;
        } catch (error) {
          onEnd();
          throw error;
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((error) => format(error as GraphQLError)) }
          : undefined,
    },
    wss,
    { logger: options.logger, maxBufferedBytes: options.maxBufferedBytes },
  );

  return {
    /** Closes every subscription connection (1001 going away) and stops accepting new ones. */
    async close() {
      httpServer.off('upgrade', onUpgrade);
      revoked.stop();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
