import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { WebSocketServer } from 'ws';
import { SERVICE_TOKEN_HEADER, type AccessTokenVerifier, type ServiceTokenVerifier } from '../auth';
import { watchRevokedConnections } from '../auth/revocations';
import { createErrorFormatter, ErrorCode } from '../errors';
import { MAX_BODY_BYTES, nulCharacterError, nulCharacterIn, type AppliedLimits } from '../limits';
import type { Logger } from '../logger/types';
import type { Principal } from '../types';
import { connectionAccessToken } from './connection-params';
import { serveGraphqlWs } from './ws-server';
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

interface ConnectionState {
  principal: Principal | null;
  accessToken: string | null;
}

/**
 * GraphQL subscriptions over graphql-ws (subprotocol `graphql-transport-ws`) on `path`. The access
 * token comes in `connectionParams` (`{ authorization: 'Bearer …' }`, see `connectionAccessToken`); a connection with a bad one
 * is closed with 4403, one without any may connect and gets UNAUTHENTICATED from the resolvers
 * that need a user. With `verifyServiceToken`, only the gateway (a service credential) may
 * connect at all. Other upgrade paths are left to their owners (socket.io) or refused. A client
 * that stops reading is dropped with 4013 (see `serveGraphqlWs`).
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
  // A connection whose token is revoked is closed as one refused at connect would be.
  const revoked = watchRevokedConnections(options.verifyAccessToken);
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
            const { socket } = ctx.extra as {
              socket: { close(code: number, reason: string): void };
            };
            socket.close(4403, ErrorCode.SERVICE_UNAUTHENTICATED);
            return false;
          }
        }
        try {
          const accessToken = connectionAccessToken(params);
          const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
          states.set(ctx, { principal, accessToken });
          if (accessToken) {
            const { socket } = ctx.extra as {
              socket: { close(code: number, reason: string): void };
            };
            revoked.watch(ctx, accessToken, () => socket.close(4403, 'Forbidden'));
          }
          return true;
        } catch {
          return false;
        }
      },
      onClose: (ctx) => revoked.unwatch(ctx),
      // Parsed and validated here rather than by graphql-ws: under the limits, with error codes.
      // The token was checked at connect; a revocation since then refuses new subscriptions.
      async onSubscribe(ctx, _id, payload) {
        const accessToken = states.get(ctx)?.accessToken;
        if (accessToken) {
          try {
            await options.verifyAccessToken(accessToken);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
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
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
        };
      },
      context: (ctx) => options.context(states.get(ctx) ?? { principal: null, accessToken: null }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((error) =>
                formatError(error.toJSON(), error instanceof GraphQLError ? error : undefined),
              ),
            }
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
