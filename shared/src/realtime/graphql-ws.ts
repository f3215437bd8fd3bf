import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerToken, type AccessTokenVerifier } from '../auth';
import { watchRevokedConnections } from '../auth/revocations';
import { createErrorFormatter } from '../errors';
import type { Logger } from '../logger/types';
import type { Principal } from '../types';

export interface GraphqlWsOptions<TContext> {
  schema: GraphQLSchema;
  /** Where GraphQL is served over HTTP; subscriptions share the path, as clients expect. */
  path: string;
  verifyAccessToken: AccessTokenVerifier;
  context(base: { principal: Principal | null; accessToken: string | null }): TContext;
  logger: Logger;
}

interface ConnectionState {
  principal: Principal | null;
  accessToken: string | null;
}

/**
 * GraphQL subscriptions over graphql-ws (subprotocol `graphql-transport-ws`) on `path`. The access
 * token comes in `connectionParams` (`{ authorization: 'Bearer …' }`); a connection with a bad one
 * is closed with 4403, one without any may connect and gets UNAUTHENTICATED from the resolvers
 * that need a user. Other upgrade paths are left to their owners (socket.io) or refused.
 */
export function attachGraphqlWs<TContext>(
  httpServer: HttpServer,
  options: GraphqlWsOptions<TContext>,
  otherUpgradePaths: readonly string[] = [],
) {
  const wss = new WebSocketServer({ noServer: true });
  const formatError = createErrorFormatter(options.logger);
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
  const disposable = useServer(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : undefined;
        try {
          const accessToken = bearerToken(header);
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
      // The token was checked at connect; a revocation since then refuses new subscriptions.
      async onSubscribe(ctx) {
        const accessToken = states.get(ctx)?.accessToken;
        if (!accessToken) return undefined;
        try {
          await options.verifyAccessToken(accessToken);
          return undefined;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
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
