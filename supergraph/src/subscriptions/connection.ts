import type { IncomingMessage } from 'node:http';
import type { AccessTokenVerifier } from '@fitnexa/shared/auth';
import { watchRevokedConnections } from '@fitnexa/shared/auth/revocations';
import { acceptCorrelationId, CORRELATION_HEADER } from '@fitnexa/shared/middleware';
import { connectionAccessToken, RealtimeCloseCode, type WsExtra } from '@fitnexa/shared/realtime';
import type { Context } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { GatewayContext } from '../context';
import { Counts, type SubscriptionBounds } from './bounds';

/** What a client connection was accepted with, for every subscription it makes. */
export interface ConnectionState {
  context: GatewayContext;
  /** Who the subgraphs see: the access token ('' without one). Sharing never crosses it. */
  caller: string;
  /** What the upstream connection is opened with: the token and the correlation id. */
  connectionParams: Record<string, unknown>;
}

export type ConnectionContext = Context<Record<string, unknown>, WsExtra>;

export interface ConnectionOptions {
  verifyAccessToken: AccessTokenVerifier;
  bounds: Required<SubscriptionBounds>;
  /** The client's address for the per-IP bound. */
  clientIp(request: IncomingMessage): string | undefined;
}

/**
 * The client connections of the gateway's graphql-ws: the per-address bound at upgrade, then at
 * `connection_init` the token (from `connectionParams`), the per-user bound, the correlation id,
 * and the watch for the token's revocation; what was accepted is the connection's state.
 */
export function createConnections(options: ConnectionOptions) {
  const { bounds } = options;
  const perIp = new Counts();
  const perUser = new Counts();
  const states = new WeakMap<object, ConnectionState>();
  // A connection whose token is revoked is closed as one refused at connect would be.
  const revoked = watchRevokedConnections(options.verifyAccessToken);

  return {
    /** Counts an upgraded socket by address; past the bound, closes it with 4029 (false). */
    admit(request: IncomingMessage, socket: WebSocket): boolean {
      if (!perIp.take(options.clientIp(request) ?? '', bounds.maxConnectionsPerIp, socket)) {
        socket.close(
          RealtimeCloseCode.TooManyConnections,
          'Too many connections from this address',
        );
        return false;
      }
      return true;
    },

    /** graphql-ws `onConnect`: false refuses the connection (4403). */
    async onConnect(ctx: ConnectionContext): Promise<boolean> {
      try {
        const accessToken = connectionAccessToken(ctx.connectionParams);
        const principal = accessToken ? await options.verifyAccessToken(accessToken) : null;
        const { request, socket } = ctx.extra;
        // Gone while its token was checked: nothing to count (its close has passed).
        if (socket.readyState !== socket.OPEN) return false;
        if (principal && !perUser.take(principal.userId, bounds.maxConnectionsPerUser, socket)) {
          // graphql-ws's own 4403 that follows `false` finds the socket closing already.
          socket.close(RealtimeCloseCode.TooManyConnections, 'Too many connections for this user');
          return false;
        }
        if (accessToken) revoked.watch(ctx, accessToken, () => socket.close(4403, 'Forbidden'));
        const correlationId = acceptCorrelationId(
          ctx.connectionParams?.[CORRELATION_HEADER] ?? request.headers[CORRELATION_HEADER],
        );
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

    /** graphql-ws `onClose`. */
    onClose(ctx: ConnectionContext) {
      revoked.unwatch(ctx);
      states.delete(ctx);
    },

    /** Closes (4403) the connections holding `caller`'s token if it is revoked; true if any. */
    recheck: (caller: string) => (caller ? revoked.recheck(caller) : Promise.resolve(false)),

    /** The state of an accepted connection (undefined before `connection_init` was accepted). */
    state: (ctx: ConnectionContext) => states.get(ctx),

    /** Stops watching for revocations (at shutdown). */
    stop: () => revoked.stop(),
  };
}
